import ChoreoFlows
import ChoreoModel
import ChoreoTestSupport
import ChoreoTracer
import OrderFulfilment
import Synchronization
import Testing
import Tracing

/// Keeps every span twice: as the real clock stamped it (the truth) and as the services'
/// skewed clocks would have (what `--clock-skew` exports).
final class SkewTee: SpanProcessor {
    let skews: ClockSkewSettings
    private let state = Mutex<(truth: [SpanRecord], skewed: [SpanRecord])>(([], []))

    init(_ skews: ClockSkewSettings) { self.skews = skews }

    func onEnd(_ span: any ReadableSpan) {
        let span = span.record
        let skewed = skews.skewed(span)
        state.withLock {
            $0.truth.append(span)
            $0.skewed.append(skewed)
        }
    }
    func forceFlush() async {}
    func requestFlush() {}

    var truth: [SpanRecord] { state.withLock { $0.truth } }
    var skewed: [SpanRecord] { state.withLock { $0.skewed } }
}

@Suite("Clock skew through order-fulfilment", .timeLimit(.minutes(2)))
struct ClockSkewRunTests {
    static let ms: Int64 = 1_000_000
    /// The stuck limit the flows are judged with: the learned limits' floor.
    static let stuckAfter: UInt64 = 2_000_000_000

    @Test("--clock-skew parses SERVICE=±DURATION and refuses unknown services, bad durations and more than a day")
    func parsing() throws {
        let skews = try ClockSkewSettings(parsing: "payment=+1500ms, shipment=-2s,notification=800ms")
        #expect(skews.nanosByService == ["payment": 1_500 * Self.ms, "shipment": -2_000 * Self.ms, "notification": 800 * Self.ms])
        #expect(try ClockSkewSettings(parsing: "").isEmpty)
        for bad in ["shipping=-2s", "payment", "payment=", "payment=-2", "payment=+-2s", "payment=2d"] {
            #expect(throws: OrderFulfilmentError.self, "\(bad)") { try ClockSkewSettings(parsing: bad) }
        }
        let span = SpanRecord(
            traceID: TraceID(high: 1, low: 1), spanID: SpanID(1), name: "send", kind: .producer, startTimeUnixNano: 5_000_000_000,
            endTimeUnixNano: 5_001_000_000, events: [SpanEvent(name: "exception", timeUnixNano: 5_000_500_000)], serviceName: "shipment"
        )
        let moved = skews.skewed(span)
        #expect(moved.startTimeUnixNano == 3_000_000_000 && moved.endTimeUnixNano == 3_001_000_000)
        #expect(moved.events[0].timeUnixNano == 3_000_500_000)
        var other = span
        other.serviceName = "order"
        #expect(skews.skewed(other) == other)
    }

    /// Runs 80 orders (seed 11, every fault, so some flows stay pending) with `skews` and
    /// returns the truth and both span sets.
    static func run(_ skews: ClockSkewSettings, style: ChoreographyStyle) async throws -> (truth: Truth, tee: SkewTee) {
        let tee = SkewTee(skews)
        let tracer = ChoreoTracer(serviceName: "order-fulfilment", processor: tee, idGenerator: IDGenerator(seed: 5))
        let system = OrderFulfilmentSystem(
            configuration: .init(style: style, faults: .all, dayLength: simulatedDay, simulatedTime: true), clock: TestClock()
        )
        let truth = try await withTracer(tracer) { try await system.run(orders: 80, seed: 11, concurrency: 8) }
        return (truth, tee)
    }

    static func flows(_ spans: [SpanRecord], options: FlowOptions, now: (String) -> UInt64) -> [String: Flow] {
        let byFlow = Dictionary(grouping: spans) { $0.string(MessagingKey.conversationID) ?? "" }
        var flows: [String: Flow] = [:]
        for (id, spans) in byFlow where !id.isEmpty {
            flows[id] = FlowBuilder(options: options).build(correlationID: id, spans: spans, now: now(id))
        }
        return flows
    }

    /// Within 5 ms or 10 % of the truth (the tolerance), or within `slack`.
    static func close(_ value: UInt64, _ truth: UInt64, slack: UInt64 = 0) -> Bool {
        let difference = value > truth ? value - truth : truth - value
        return difference <= 5_000_000 || Double(difference) <= 0.1 * Double(truth) || difference <= slack
    }

    /// How far a corrected time of `source` can be from the truth by the evidence itself: the
    /// width of its offset's bounds (0 for the reference), nil when a bound is missing.
    ///
    /// The run's hops carry real delays, so on a loaded machine (a parallel test run on 2 cores)
    /// the bounds widen and no estimator can be closer than they allow; on a quiet one they are
    /// a millisecond or two and the 5 ms / 10 % is what is checked.
    static func slack(_ offsets: ClockOffsets, _ source: String) -> UInt64? {
        guard let offset = offsets.offset(of: source), offset.reference != source else { return 0 }
        guard let lower = offset.lowerNanos, let upper = offset.upperNanos, upper >= lower else { return nil }
        return UInt64(upper.subtractingReportingOverflow(lower).partialValue.magnitude)
    }

    /// Commanded: order talks both ways with payment and shipment, so their offsets are certain.
    /// Chain: inventory hears back from payment only in the unavailable path (few hops), and
    /// nothing ever reaches back to notification: those offsets are uncertain, clamped to the
    /// causal order (the smallest shift), and their times are flagged.
    static let cases: [(skew: String, style: ChoreographyStyle, uncertain: Set<String>)] = [
        ("payment=+1500ms,shipment=-2s", .commanded, []),
        ("inventory=+1500ms,notification=-800ms", .chain, ["inventory", "notification"]),
    ]

    @Test(
        "skewed services: offsets estimated, every queue time, duration and map figure as without skew, statuses as the truth, none stuck",
        arguments: cases
    )
    func skewedRun(skew: String, style: ChoreographyStyle, uncertain: Set<String>) async throws {
        let skews = try ClockSkewSettings(parsing: skew)
        let (truth, tee) = try await Self.run(skews, style: style)
        let trueSpans = tee.truth
        let skewedSpans = tee.skewed

        // Offsets from every hop the run recorded (80 flows), relative to the hub: order.
        var estimator = ClockSkewEstimator()
        estimator.observe(spans: skewedSpans)
        let offsets = estimator.offsets()
        for (service, nanos) in skews.nanosByService {
            let offset = try #require(offsets.offset(of: service), "\(service)")
            #expect(offset.reference == (style == .commanded ? "order" : "payment"))
            // No hops back from it: only bounded, so flagged (others are certain when their
            // bounds are narrow, which a quiet machine's short delays make them).
            if uncertain.contains(service) { #expect(offset.uncertain, "\(service): \(offset)") }
            // Causality bounds the true skew, whatever the delays: it lies within the bounds.
            #expect(
                (offset.lowerNanos ?? .min) <= nanos && nanos <= (offset.upperNanos ?? .max),
                "\(service): skewed by \(nanos), outside the bounds of \(offset)")
            if let slack = Self.slack(offsets, service) {
                #expect(
                    abs(offset.nanos - nanos) <= max(5 * Self.ms, Int64(clamping: slack)),
                    "\(service): estimated \(offset.nanos), skewed by \(nanos), bounds \(offset)")
            }
        }
        // A correction is as exact as the loosest clock it involves allows.
        let slacks = Set(trueSpans.map(\.serviceName)).map { Self.slack(offsets, $0) }
        let flowSlack: UInt64? = slacks.contains(nil) ? nil : 2 * (slacks.compactMap { $0 }.max() ?? 0)

        // Each flow's own last activity, as the real clock saw it.
        let plain = FlowOptions(stuckAfterNanos: Self.stuckAfter)
        let reference = Self.flows(trueSpans, options: FlowOptions(stuckAfterNanos: Self.stuckAfter, adjustsClocks: false)) { _ in .max }
        func lastActivity(_ id: String) -> UInt64 { reference[id]?.endedAtUnixNano ?? 0 }
        let learned = FlowOptions(stuckAfterNanos: Self.stuckAfter, clockOffsets: offsets)

        // Judged 1 s after each flow's last activity: pending flows are in flight, never stuck.
        let soon = { (id: String) in lastActivity(id) + 1_000_000_000 }
        let expected = Self.flows(trueSpans, options: plain, now: soon)
        let corrected = Self.flows(skewedSpans, options: learned, now: soon)
        let raw = Self.flows(skewedSpans, options: FlowOptions(stuckAfterNanos: Self.stuckAfter, adjustsClocks: false), now: soon)
        #expect(corrected.count == truth.flows.count && expected.count == truth.flows.count)
        #expect(corrected.values.allSatisfy { $0.status != .stuck }, "no flow turns stuck because of skew")
        // Judged 3 s after: statuses as the truth says (the pending ones stuck).
        let late = { (id: String) in lastActivity(id) + 3_000_000_000 }
        for (id, flow) in Self.flows(skewedSpans, options: learned, now: late) {
            let want = try #require(truth.flows[id])
            #expect(flow.status == want.status, "\(id)")
            #expect(flow.outcome == want.outcome, "\(id)")
        }

        var queues = 0
        var rawOff = 0
        for (id, want) in expected {
            let got = try #require(corrected[id])
            #expect(got.status == want.status, "\(id)")
            let duration = { (flow: Flow) in flow.endedAtUnixNano - flow.startedAtUnixNano }
            if let flowSlack {
                #expect(
                    Self.close(duration(got), duration(want), slack: flowSlack), "\(id): duration \(duration(got)) vs \(duration(want))")
            }
            let gotSteps = Dictionary(got.steps.map { ($0.messageID, $0) }, uniquingKeysWith: { a, _ in a })
            let rawSteps = Dictionary((raw[id]?.steps ?? []).map { ($0.messageID, $0) }, uniquingKeysWith: { a, _ in a })
            for step in want.steps {
                let corrected = try #require(gotSteps[step.messageID])
                let skewOfPublisher = skews.nanosByService[step.source] ?? 0
                #expect(corrected.rawPublishedAtUnixNano == step.publishedAtUnixNano.addingReportingOverflow(UInt64(bitPattern: skewOfPublisher)).partialValue)
                if uncertain.contains(step.source) { #expect(corrected.timeUncertain, "\(id) \(step.type)") }
                for delivery in step.deliveries {
                    guard let trueQueue = delivery.queueTimeNanos else { continue }
                    let match = try #require(corrected.deliveries.first { $0.consumer == delivery.consumer })
                    if uncertain.contains(delivery.consumer) { #expect(match.timeUncertain, "\(id) \(step.type) → \(delivery.consumer)") }
                    let queue = try #require(match.queueTimeNanos)
                    queues += 1
                    let rawQueue = rawSteps[step.messageID]?.deliveries.first { $0.consumer == delivery.consumer }?.queueTimeNanos ?? 0
                    if !Self.close(rawQueue, trueQueue) { rawOff += 1 }
                    // A hop touching an uncertain clock is flagged (above); its queue time is as
                    // good as the clamp, which the machine's real delays decide (see the offsets).
                    guard let from = Self.slack(offsets, step.source), let to = Self.slack(offsets, delivery.consumer) else { continue }
                    #expect(
                        Self.close(queue, trueQueue, slack: from + to), "\(id) \(step.type) → \(delivery.consumer): \(queue) vs \(trueQueue)")
                }
            }
        }
        #expect(queues > 200)
        #expect(rawOff > queues / 10, "the skew must really bend the uncorrected queue times (\(rawOff) of \(queues))")

        // The process map's p50/p95 per edge, from the corrected flows, as from the true ones.
        let wantMap = ProcessMap(trails: expected.values.map(\.trail))
        let gotMap = ProcessMap(trails: corrected.values.map(\.trail))
        #expect(
            Dictionary(uniqueKeysWithValues: gotMap.nodes.map { ($0.type, $0.count) })
                == Dictionary(uniqueKeysWithValues: wantMap.nodes.map { ($0.type, $0.count) }))
        // With uncertain offsets (chain), steps of concurrent branches published within the
        // clamp's error (a millisecond or two) may interleave differently, so which type
        // directly follows which is only compared when every offset is certain.
        guard uncertain.isEmpty else { return }
        let gotEdges = Dictionary(gotMap.edges.map { ("\($0.from)>\($0.to)", $0) }, uniquingKeysWith: { a, _ in a })
        // Who publishes each type, so an edge's figures are held to its two clocks' slack.
        let publisher = Dictionary(expected.values.flatMap(\.steps).map { ($0.type, $0.source) }, uniquingKeysWith: { a, _ in a })
        var comparedEdges = 0
        for edge in wantMap.edges {
            let got = try #require(gotEdges["\(edge.from)>\(edge.to)"], "\(edge.from) → \(edge.to)")
            #expect(got.count == edge.count)
            // Each end's correction can be off by its offset's error and by the flow's own clamp.
            guard let from = publisher[edge.from].flatMap({ Self.slack(offsets, $0) }),
                let to = publisher[edge.to].flatMap({ Self.slack(offsets, $0) })
            else { continue }
            let slack = 2 * (from + to)
            comparedEdges += 1
            #expect(Self.close(got.p50Nanos, edge.p50Nanos, slack: slack), "\(edge.from) → \(edge.to) p50 \(got.p50Nanos) vs \(edge.p50Nanos)")
            #expect(Self.close(got.p95Nanos, edge.p95Nanos, slack: slack), "\(edge.from) → \(edge.to) p95 \(got.p95Nanos) vs \(edge.p95Nanos)")
        }
        #expect(comparedEdges > 0, "some edges join clocks bounded both ways")
    }
}
