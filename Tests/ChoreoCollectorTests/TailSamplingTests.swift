import ChoreoCollector
import ChoreoFlows
import ChoreoModel
import ChoreoStore
import Logging
import Synchronization
import Hummingbird
import HummingbirdTesting
import Testing

/// Flow-aware tail sampling (`--keep-healthy`): which settled flows keep their spans, when the
/// decision is made, and what the store keeps of a flow sampled out.
@Suite("Tail sampling")
struct TailSamplingTests {
    static let second: UInt64 = 1_000_000_000
    static let options = FlowOptions(stuckAfterNanos: 30 * second, terminalTypes: ["OrderCompleted", "OrderCancelled"])
    static let delay: UInt64 = 10 * second

    /// Wall-clock time the test sets (the indexer's injected clock).
    final class Now: Sendable {
        private let value: Mutex<UInt64>
        init(_ start: UInt64) { value = Mutex(start) }
        func set(_ nanos: UInt64) { value.withLock { $0 = nanos } }
        func read() -> UInt64 { value.withLock { $0 } }
    }

    /// A healthy order, started at `at`: placed, paid, completed, each step `gap` after the last.
    /// `deadLetter` makes the payment's delivery dead-lettered (a failed flow); `lostCause` makes
    /// the last step name a cause whose spans never arrived (a gap).
    static func order(
        _ id: String, trace: UInt64, at: UInt64, gap: UInt64 = 1_000_000, deadLetter: Bool = false, lostCause: Bool = false,
        retried: Bool = false
    ) -> [SpanRecord] {
        let traceID = TraceID(high: 0x5A, low: trace)
        let m1 = "\(id)-m1"
        let m2 = "\(id)-m2"
        let m3 = "\(id)-m3"
        var spans: [SpanRecord] = [
            Fixtures.producer(trace: traceID, span: 1, message: m1, type: "OrderPlaced", correlation: id, service: "checkout", at: at),
            Fixtures.consumer(trace: traceID, span: 2, parent: 1, message: m1, type: "OrderPlaced", correlation: id, group: "payment", at: at + gap / 2),
            Fixtures.producer(
                trace: traceID, span: 3, message: m2, type: "PaymentReceived", correlation: id, causation: m1, service: "payment", at: at + gap),
        ]
        if deadLetter {
            spans.append(
                Fixtures.consumer(
                    trace: traceID, span: 4, parent: 3, message: m2, type: "PaymentReceived", correlation: id, group: "order",
                    outcome: .deadLettered, at: at + gap + gap / 2))
            return spans
        }
        if retried {
            spans.append(
                Fixtures.consumer(
                    trace: traceID, span: 6, parent: 3, message: m2, type: "PaymentReceived", correlation: id, group: "order",
                    attempt: 1, outcome: .retry, at: at + gap + gap / 4))
        }
        spans.append(
            Fixtures.consumer(
                trace: traceID, span: 4, parent: 3, message: m2, type: "PaymentReceived", correlation: id, group: "order",
                attempt: retried ? 2 : 1, at: at + gap + gap / 2))
        spans.append(
            Fixtures.producer(
                trace: traceID, span: 5, message: m3, type: "OrderCompleted", correlation: id, causation: lostCause ? "\(id)-lost" : m2,
                service: "order", at: at + 2 * gap))
        return spans
    }

    static func flow(_ spans: [SpanRecord], id: String, now: UInt64) throws -> Flow {
        try #require(FlowBuilder(options: options).build(correlationID: id, spans: spans, now: now))
    }

    /// An id whose hash falls under `ratio` (`under`) or over it.
    static func id(_ prefix: String, hashUnder ratio: Double, _ under: Bool) -> String {
        let hash = FlowHash(ratio: ratio)
        return (0...).lazy.map { "\(prefix)-\($0)" }.first { hash.keeps(correlationID: $0) == under }!
    }

    // MARK: The decision

    @Test("a healthy completed flow is undecided before the delay, then kept or sampled out by its hash")
    func healthyFlowByHash() throws {
        let sampling = TailSampling(ratio: 0.5, delay: .seconds(10))
        let over = Self.id("order-over", hashUnder: 0.5, false)
        let under = Self.id("order-under", hashUnder: 0.5, true)
        let t = Fixtures.t0
        let out = try Self.flow(Self.order(over, trace: 1, at: t), id: over, now: t + Self.second)
        let kept = try Self.flow(Self.order(under, trace: 2, at: t), id: under, now: t + Self.second)
        #expect(out.status == .completed)
        let end = out.endedAtUnixNano
        #expect(sampling.decide(out, variantP99Nanos: .max, now: end + Self.delay - 1) == .undecided(dueAtUnixNano: end + Self.delay))
        #expect(sampling.decide(out, variantP99Nanos: .max, now: end + Self.delay) == .sampleOut)
        #expect(sampling.decide(kept, variantP99Nanos: .max, now: end + Self.delay) == .keep(.hash))
        #expect(TailSampling(ratio: 1).decide(out, variantP99Nanos: .max, now: .max) == .keep(.hash), "ratio 1 keeps every flow")
        #expect(TailSampling(ratio: 0).decide(kept, variantP99Nanos: .max, now: .max) == .sampleOut, "ratio 0 keeps none")
        // Spans that arrived late (exported long after they ended) restart the delay from their arrival.
        let arrived = end + 5 * Self.delay
        #expect(
            sampling.decide(out, variantP99Nanos: .max, now: arrived, arrivedAtUnixNano: arrived)
                == .undecided(dueAtUnixNano: arrived + Self.delay))
        #expect(sampling.decide(out, variantP99Nanos: .max, now: arrived + Self.delay, arrivedAtUnixNano: arrived) == .sampleOut)
    }

    @Test("every flow that is not healthy keeps its spans, whatever its hash")
    func unhealthyFlowsKeep() throws {
        let sampling = TailSampling(ratio: 0, delay: .seconds(10))
        let t = Fixtures.t0
        let later = t + 100 * Self.second
        let compensated = try Self.flow(Fixtures.compensatedOrder("c", trace: TraceID(high: 0x5A, low: 10)), id: "c", now: later)
        #expect(compensated.status == .compensated)
        #expect(sampling.decide(compensated, variantP99Nanos: .max, now: later) == .keep(.compensated))
        let failed = try Self.flow(Self.order("f", trace: 11, at: t, deadLetter: true), id: "f", now: later)
        #expect(failed.status == .failed)
        #expect(sampling.decide(failed, variantP99Nanos: .max, now: later) == .keep(.failed))
        let stuckSpans = Array(Self.order("s", trace: 12, at: t).prefix(1))
        let stuck = try Self.flow(stuckSpans, id: "s", now: later)
        #expect(stuck.status == .stuck)
        #expect(sampling.decide(stuck, variantP99Nanos: .max, now: later) == .keep(.stuck))
        let pending = try Self.flow(stuckSpans, id: "s", now: t + 15 * Self.second)
        #expect(pending.status == .inFlight)
        #expect(sampling.decide(pending, variantP99Nanos: .max, now: t + 15 * Self.second) == .keep(.inFlight))
        let gap = try Self.flow(Self.order("g", trace: 13, at: t, lostCause: true), id: "g", now: later)
        #expect(gap.status == .completed && gap.gaps > 0)
        #expect(sampling.decide(gap, variantP99Nanos: .max, now: later) == .keep(.deviating))
        let retried = try Self.flow(Self.order("r", trace: 14, at: t, retried: true), id: "r", now: later)
        #expect(retried.status == .completed)
        #expect(retried.steps.contains { step in step.deliveries.contains { $0.attempts > 1 } }, "the fixture retries a delivery")
        #expect(
            sampling.decide(retried, variantP99Nanos: .max, now: later) == .sampleOut,
            "a delivery retried before it succeeded conforms: healthy (its error spans outlive sampling in the store)")
        let healthy = try Self.flow(Self.order("h", trace: 15, at: t, gap: 5 * Self.second), id: "h", now: later)
        let duration = healthy.endedAtUnixNano - healthy.startedAtUnixNano
        #expect(sampling.decide(healthy, variantP99Nanos: duration - 1, now: later) == .keep(.slow), "above the variant's p99")
        #expect(sampling.decide(healthy, variantP99Nanos: nil, now: later) == .keep(.slow), "no usual latency learned yet")
        #expect(sampling.decide(healthy, variantP99Nanos: duration, now: later) == .sampleOut)
    }

    // MARK: In the indexer

    static func indexer(_ store: any SpanStore, now: Now, ratio: Double, counters: SamplingCounters = SamplingCounters()) -> FlowIndexer<ContinuousClock> {
        FlowIndexer(
            store: store, options: options, clock: ContinuousClock(), interval: .seconds(1), now: { now.read() }, logger: Logger(label: "test"),
            sampling: TailSampling(ratio: ratio, delay: .seconds(10), minimumVariantSamples: 1), samplingCounters: counters)
    }

    /// Healthy orders (the first is kept: slow, nothing learned yet), one compensated, at ratio 0.
    static func ingestMix(_ store: any SpanStore, healthy: Int) async throws -> [String] {
        let t = Fixtures.t0
        let ids = (0..<healthy).map { "healthy-\($0)" }
        for (i, id) in ids.enumerated() { try await store.append(order(id, trace: UInt64(100 + i), at: t)) }
        try await store.append(Fixtures.compensatedOrder("comp", trace: TraceID(high: 0x5A, low: 99)))
        return ids
    }

    @Test("settled healthy flows lose their spans after the delay, keep their index entry; others keep every span", arguments: ["memory", "sqlite"])
    func indexerSamplesOut(kind: String) async throws {
        let store: any SpanStore = kind == "memory" ? InMemorySpanStore() : try SQLiteSpanStore(path: try Fixtures.temporaryPath("s.sqlite"))
        let clock = Now(Fixtures.t0 + Self.second)
        let counters = SamplingCounters()
        let indexer = Self.indexer(store, now: clock, ratio: 0, counters: counters)
        let ids = try await Self.ingestMix(store, healthy: 5)
        let total = try await store.spanCount()
        try await indexer.catchUp()
        #expect(try await store.spanCount() == total, "nothing is decided before the delay")
        let trailsBefore = try await store.flowTrails(FlowQuery(limit: 100))
        let end = try #require(try await store.flowSummary(correlationID: ids[0])).lastActivityAtUnixNano
        #expect(try await store.dueFlows(at: end + Self.delay - Self.second, limit: 100).isEmpty, "not due before the delay")
        #expect(try await store.dueFlows(at: end + Self.delay + Self.second, limit: 100).count == 6, "every settled flow comes back to be decided")

        clock.set(end + Self.delay + Self.second)
        try await indexer.catchUp()
        // The first healthy flow of the variant is decided before any duration was learned: kept (slow).
        let sampledOut = try await store.sampledOutFlows(ids + ["comp"])
        #expect(sampledOut.count == 4)
        #expect(try await store.spans(correlationID: "comp").count == 10, "a compensated flow keeps every span")
        let keptHealthy = ids.filter { sampledOut[$0] == nil }
        #expect(keptHealthy.count == 1)
        for id in ids {
            let spans = try await store.spans(correlationID: id)
            #expect(spans.count == (sampledOut[id] == nil ? 5 : 0), "\(id)")
        }
        #expect(try await store.spanCount() == 15)
        // The index is intact: summaries, counts, trails.
        #expect(try await store.flowCounts(FlowQuery()) == [.completed: 5, .compensated: 1])
        #expect(Set(try await store.flowTrails(FlowQuery(limit: 100))) == Set(trailsBefore))
        #expect(try await store.dueFlows(at: .max, limit: 100).isEmpty, "decided once")
        #expect(counters.sampledOutFlowCount == 4 && counters.sampledOutSpanCount == 20)
        #expect(counters.keptFlows(.compensated) == 1 && counters.keptFlows(.slow) == 1)

        // A late span of a sampled-out flow is dropped and counted; the entry stays as decided.
        let victim = try #require(sampledOut.keys.sorted().first)
        let entry = try #require(sampledOut[victim])
        try await store.append([
            Fixtures.producer(
                trace: TraceID(high: 0x5B, low: 1), span: 9, message: "\(victim)-late", type: "Late", correlation: victim, service: "late",
                at: end + Self.delay)
        ])
        try await indexer.catchUp()
        #expect(try await store.spans(correlationID: victim).isEmpty)
        #expect(try await store.sampledOutFlows([victim])[victim] == entry)
        #expect(try await store.flowSummary(correlationID: victim) == entry.summary)
        #expect(counters.lateSpanCount == 1)
        #expect(try await store.dirtyFlows(limit: 10).isEmpty)
    }

    @Test("spans that arrive after their flow's end plus the delay are not decided on at once: the flow settles from their arrival")
    func lateArrivalSettlesFromArrival() async throws {
        let store = InMemorySpanStore()
        // The spans reach the collector 50 s after they ended (a batching exporter, a spooling
        // agent, a skewed clock): past the delay already, by their own times.
        let arrival = Fixtures.t0 + 50 * Self.second
        let clock = Now(arrival)
        let indexer = Self.indexer(store, now: clock, ratio: 0)
        let ids = try await Self.ingestMix(store, healthy: 3)
        try await indexer.catchUp()
        #expect(try await store.spanCount() == 25, "nothing is decided in the pass the spans arrived in")
        #expect(try await store.dueFlows(at: arrival + Self.delay - 1, limit: 100).isEmpty, "not due before their arrival plus the delay")
        clock.set(arrival + Self.delay + 1)
        try await indexer.catchUp()
        // The first flow of the variant is kept (slow: nothing learned yet); the other two go.
        #expect(try await store.sampledOutFlows(ids).count == 2, "decided once the delay passed since the spans arrived")
    }

    @Test("at ratio 1 nothing is decided and no settled flow gets a due time")
    func ratioOneIsOff() async throws {
        let store = InMemorySpanStore()
        let clock = Now(Fixtures.t0 + Self.second)
        let counters = SamplingCounters()
        let indexer = Self.indexer(store, now: clock, ratio: 1, counters: counters)
        _ = try await Self.ingestMix(store, healthy: 3)
        try await indexer.catchUp()
        #expect(try await store.dueFlows(at: .max, limit: 100).isEmpty)
        clock.set(.max / 2)
        try await indexer.catchUp()
        #expect(try await store.spanCount() == 25)
        #expect(counters.keptSpanCount == 0 && counters.sampledOutFlowCount == 0)
    }

    // MARK: Through the collector

    @Test("GET /api/v1/flows/{id} of a sampled-out flow answers 410 with what the index keeps")
    func showSampledOut() async throws {
        let store = InMemorySpanStore()
        let clock = Now(Fixtures.t0 + Self.second)
        let indexer = Self.indexer(store, now: clock, ratio: 0)
        let ids = try await Self.ingestMix(store, healthy: 3)
        try await indexer.catchUp()
        clock.set(Fixtures.t0 + 100 * Self.second)
        try await indexer.catchUp()
        let out = try #require(try await store.sampledOutFlows(ids).keys.sorted().first)
        let harness = Fixtures.collector(store: store)
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/flows/\(out)", method: .get) { response in
                #expect(response.status == .gone)
                let text = String(buffer: response.body)
                #expect(text.contains("was sampled out"), "\(text)")
                #expect(text.contains("status completed (OrderCompleted)"), "\(text)")
                #expect(text.contains("OrderPlaced (checkout) -> PaymentReceived (payment) -> OrderCompleted (order)"), "\(text)")
            }
            try await client.execute(uri: "/api/v1/flows/comp", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/v1/flows/nobody", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
