import ChoreoCollector
import ChoreoFlows
import ChoreoModel
import ChoreoQuery
import ChoreoStore
import Foundation
import Logging
import Testing

/// The indexer learns clock offsets from the flows it rebuilds (each hop once), builds flows with
/// them, and records them with the judging only when they moved (docs/clock-skew.md).
@Suite("Flow indexer: clock skew")
struct FlowIndexerClockSkewTests {
    static let ms: UInt64 = 1_000_000
    /// payment's clock is 1.5 s ahead of order's.
    static let skew: UInt64 = 1_500 * ms

    /// One round trip, order → payment → order, starting at `t` (order's clock, the truth):
    /// each message queues `requestQueue` / 5 ms; payment's spans are recorded 1.5 s ahead.
    static func roundTrip(_ n: UInt64, at t: UInt64, requestQueue: UInt64 = 5 * ms, extraSpan: UInt64? = nil) -> [SpanRecord] {
        let trace = TraceID(high: 0x5CE, low: n)
        let id = "order-\(n)"
        let paymentStart = t + requestQueue
        var spans = [
            Fixtures.producer(trace: trace, span: 1, message: "\(id)-m1", type: "RetrievePayment", correlation: id, service: "order", at: t),
            Fixtures.consumer(
                trace: trace, span: 2, parent: 1, message: "\(id)-m1", type: "RetrievePayment", correlation: id, group: "payment",
                at: paymentStart + skew),
        ]
        var reply = Fixtures.producer(
            trace: trace, span: 3, message: "\(id)-m2", type: "PaymentReceived", correlation: id, causation: "\(id)-m1", service: "payment",
            at: paymentStart + 1000 + skew)
        reply.parentSpanID = SpanID(2)
        spans.append(reply)
        spans.append(
            Fixtures.consumer(
                trace: trace, span: 4, parent: 3, message: "\(id)-m2", type: "PaymentReceived", correlation: id, group: "order",
                at: paymentStart + 1000 + 5 * ms))
        if let extraSpan {
            // Not a messaging span: it only marks the flow dirty, so it is rebuilt.
            spans.append(
                SpanRecord(
                    traceID: trace, spanID: SpanID(100 + extraSpan), name: "log", kind: .internal, startTimeUnixNano: t, endTimeUnixNano: t + 1,
                    attributes: [MessagingKey.conversationID: .string(id)], serviceName: "order"))
        }
        return spans
    }

    static func indexer(_ store: InMemorySpanStore, skew: SharedClockSkewEstimator = SharedClockSkewEstimator()) -> FlowIndexer<ContinuousClock> {
        FlowIndexer(
            store: store, options: FlowOptions(), clock: ContinuousClock(), interval: .seconds(1), now: { Fixtures.t0 + 3_600_000_000_000 },
            skew: skew, logger: Logger(label: "test"))
    }

    static func recordedOffsets(_ store: InMemorySpanStore) async throws -> ClockOffsets? {
        try await store.judging().flatMap { try FlowJudging(decoding: $0).learnedClockOffsets }
    }

    @Test("offsets are learned from the rebuilt flows and recorded; index and query service use them")
    func learnsAndRecords() async throws {
        let store = InMemorySpanStore()
        for n in 0..<25 { try await store.append(Self.roundTrip(UInt64(n), at: Fixtures.t0 + UInt64(n) * 100 * Self.ms)) }
        let indexer = Self.indexer(store)
        try await indexer.catchUp()

        let recorded = try #require(try await Self.recordedOffsets(store), "offsets recorded with the judging")
        let payment = try #require(recorded.offset(of: "payment"))
        #expect(payment.reference == "order" && !payment.uncertain, "\(payment)")
        #expect(payment.nanos == Int64(Self.skew), "the middle of [1.495 s, 1.505 s]")
        #expect(indexer.judgedClockOffsets == recorded)

        // The index was written with the offsets recorded (the batch that learned them is rebuilt).
        for n in 0..<25 {
            let summary = try #require(try await store.flowSummary(correlationID: "order-\(n)"))
            #expect(summary.status == .completed)
            #expect(summary.lastActivityAtUnixNano - summary.startedAtUnixNano < 20 * Self.ms, "not 1.5 s: \(summary)")
        }
        // The query service rebuilds from the recorded judging: queue times as the truth (5 ms).
        let flow = try #require(try await QueryService(store: store).flow(correlationID: "order-3"))
        #expect(flow.steps.flatMap(\.deliveries).map(\.queueTimeNanos) == [5 * Self.ms, 5 * Self.ms])
        #expect(flow.steps.flatMap(\.deliveries).allSatisfy { !$0.timeUncertain })
        #expect(flow.steps.first { $0.type == "PaymentReceived" }?.adjustedByNanos == -Int64(Self.skew))
        // The index's trails (the process map's input) are those of flows built with the
        // recorded offsets, not with each flow's own clamp (which moves payment 1.495 s only).
        let trails = try await store.flowTrails(FlowQuery(limit: 100))
        #expect(trails.count == 25)
        for trail in trails {
            let rebuilt = try #require(try await QueryService(store: store).flow(correlationID: trail.correlationID))
            #expect(trail.steps == rebuilt.trail.steps, "\(trail.correlationID)")
        }
    }

    @Test("each hop counts once however often its flow is rebuilt")
    func hopsCountedOnce() async throws {
        let store = InMemorySpanStore()
        let skew = SharedClockSkewEstimator()
        let indexer = Self.indexer(store, skew: skew)
        try await store.append(Self.roundTrip(1, at: Fixtures.t0))
        try await indexer.catchUp()
        // Two hops between clocks: the request's delivery and the reply's (the handler's publish
        // is on payment's own clock).
        #expect(skew.observedHops == 2)
        for round in 0..<5 {
            try await store.append(Self.roundTrip(1, at: Fixtures.t0, extraSpan: UInt64(round)))
            #expect(try await indexer.catchUp() == 1, "rebuilt")
        }
        #expect(skew.observedHops == 2)
        // A delivery that arrives later (a second consumer of the request) is one new hop.
        let late = Fixtures.consumer(
            trace: TraceID(high: 0x5CE, low: 1), span: 9, parent: 1, message: "order-1-m1", type: "RetrievePayment", correlation: "order-1",
            group: "audit", at: Fixtures.t0 + 7 * Self.ms)
        try await store.append([late])
        try await indexer.catchUp()
        #expect(skew.observedHops == 3)
    }

    @Test("a hop whose other end arrives later is counted when it arrives")
    func hopWaitsForItsOtherEnd() async throws {
        let store = InMemorySpanStore()
        let skew = SharedClockSkewEstimator()
        let indexer = Self.indexer(store, skew: skew)
        let spans = Self.roundTrip(1, at: Fixtures.t0)
        try await store.append(spans.filter { $0.kind == .consumer })  // deliveries before their publishes
        try await indexer.catchUp()
        #expect(skew.observedHops == 0)
        try await store.append(spans.filter { $0.kind == .producer })
        try await indexer.catchUp()
        #expect(skew.observedHops == 2)
    }

    @Test("the judging is rewritten only when an offset moves by the threshold (1 ms)")
    func judgingChurn() async throws {
        let store = InMemorySpanStore()
        let skew = SharedClockSkewEstimator()
        let indexer = Self.indexer(store, skew: skew)
        for n in 0..<25 { try await store.append(Self.roundTrip(UInt64(n), at: Fixtures.t0 + UInt64(n) * 100 * Self.ms)) }
        try await indexer.catchUp()
        let first = try #require(try await store.judging())

        // A request that queued 4.6 ms: the upper bound drops 0.4 ms, the middle 0.2 ms.
        try await store.append(Self.roundTrip(100, at: Fixtures.t0 + 10_000 * Self.ms, requestQueue: 4_600_000))
        try await indexer.catchUp()
        #expect(skew.offsets().offset(of: "payment")?.nanos == Int64(Self.skew) - 200_000, "the estimate moved")
        #expect(try await store.judging() == first, "a move under 1 ms is not recorded")

        // One that queued 1 ms: the middle moves 2 ms, which is recorded.
        try await store.append(Self.roundTrip(101, at: Fixtures.t0 + 11_000 * Self.ms, requestQueue: Self.ms))
        try await indexer.catchUp()
        let moved = try #require(try await Self.recordedOffsets(store)?.offset(of: "payment"))
        #expect(moved.nanos == Int64(Self.skew) - 2 * Int64(Self.ms))
    }

    @Test("a restarted indexer builds with the offsets recorded in the store until its own are certain")
    func adoptsRecordedOffsets() async throws {
        let store = InMemorySpanStore()
        for n in 0..<25 { try await store.append(Self.roundTrip(UInt64(n), at: Fixtures.t0 + UInt64(n) * 100 * Self.ms)) }
        try await Self.indexer(store).catchUp()
        let recorded = try await Self.recordedOffsets(store)

        let restarted = Self.indexer(store)
        try await store.append(Self.roundTrip(200, at: Fixtures.t0 + 20_000 * Self.ms))
        try await restarted.catchUp()
        #expect(restarted.judgedClockOffsets == recorded, "one flow's hops are too few to replace them")
        #expect(try await Self.recordedOffsets(store) == recorded)
        let summary = try #require(try await store.flowSummary(correlationID: "order-200"))
        let flow = try #require(try await QueryService(store: store).flow(correlationID: "order-200"))
        #expect(flow.steps.flatMap(\.deliveries).map(\.queueTimeNanos) == [5 * Self.ms, 5 * Self.ms], "built with the recorded offsets")
        #expect(summary.lastActivityAtUnixNano == flow.endedAtUnixNano)
    }

    @Test("judging recorded before clock offsets existed still reads; offsets read back exactly, whatever the source names")
    func judgingCompatibility() throws {
        let old =
            #"{"learned_limits":{"fallback_nanos":5,"per_type_nanos":{"OrderPlaced":7}},"stuck_after_nanos":300000000000,"terminal_types":["OrderCompleted"]}"#
        let judging = try FlowJudging(decoding: Array(old.utf8))
        #expect(judging.clockOffsets == nil && judging.options.clockOffsets == nil)
        #expect(judging.options.stuckLimits?.perTypeNanos == ["OrderPlaced": 7])

        let offsets = ClockOffsets(bySource: [
            "order_service": ClockOffset(nanos: 0, reference: "order_service", lowerNanos: 0, upperNanos: 0, hops: 40),
            "Payment@pod-7": ClockOffset(
                nanos: 1_500_123_457, reference: "order_service", lowerNanos: 1_495_000_001, upperNanos: 1_505_246_913, hops: 40),
            "shipment@host.a": ClockOffset(nanos: -3, reference: "order_service", lowerNanos: nil, upperNanos: -3, hops: 2, uncertain: true),
        ])
        let recorded = FlowJudging(FlowOptions(terminalTypes: ["OrderCompleted"], clockOffsets: offsets))
        let read = try FlowJudging(decoding: recorded.encoded)
        #expect(read == recorded)
        #expect(read.options.clockOffsets == offsets)
        #expect(String(decoding: recorded.encoded, as: UTF8.self).contains(#""clock_offsets":{"#))
    }
}
