import ChoreoModel
import Testing

@testable import ChoreoFlows

/// The flow builder finds a flow's causal hops once (``FlowHops``) and uses them both to learn
/// clocks and to correct the flow's own; these pin that shortcut to the longer ways it replaced.
@Suite("A flow's causal hops, found once")
struct FlowHopsTests {
    static let ms: Int64 = 1_000_000
    static let sources = ["checkout", "order", "payment", "inventory", "shipment", "notification", "order@b"]

    @Test("a flow's causal clamp equals what a whole estimator counting no pair as well observed makes of the same hops")
    func clampMatchesEstimator() {
        var random = SplitMix64(seed: 0xC1A4)
        for round in 0..<400 {
            // Up to 7 sources, so some rounds have several unconnected groups and tied hop counts.
            let sourceCount = 2 + Int(random.next() % 6)
            let hopCount = Int(random.next() % 12)
            var hops: [ClockHop] = []
            for _ in 0..<hopCount {
                let from = Self.sources[Int(random.next() % UInt64(sourceCount))]
                let to = Self.sources[Int(random.next() % UInt64(sourceCount))]
                hops.append(ClockHop(from: from, to: to, delayNanos: Int64(random.next() % 41) * Self.ms - 20 * Self.ms))
            }
            var estimator = ClockSkewEstimator(configuration: .init(minimumHops: .max, hopsPerPair: .max, maxSources: .max))
            for hop in hops { estimator.observe(hop) }
            let expected = estimator.offsets().bySource.mapValues(\.nanos)
            let clamp = ClockSkewEstimator.smallestShifts(hops)
            #expect(Dictionary(uniqueKeysWithValues: clamp.map { ($0.source, $0.nanos) }) == expected, "round \(round): \(hops)")
        }
    }

    /// order publishes m2 from within its delivery of m1 (recorded by a sidecar when `sidecar`),
    /// payment publishes m3; m2 is published twice when `republish`.
    static func spans(republish: Bool) -> [SpanRecord] {
        var script = SpanScript()
        script.publish("m1", "OrderPlaced", by: "checkout", at: 0)
        script.deliver("m1", to: "order", at: 5, durationMs: 10)
        script.publish("m2", "ChargePayment", by: "order", causedBy: "m1", at: 8)
        if republish { script.publish("m2", "ChargePayment", by: "payment", at: 9) }
        script.deliver("m2", to: "payment", at: 2)
        script.publish("m3", "PaymentReceived", by: "payment", causedBy: "m2", at: 4)
        script.deliver("m3", to: "order", at: 20)
        var spans = script.spans
        let publish = spans.firstIndex { $0.kind == .producer && $0.serviceName == "order" }!
        spans[publish].resourceAttributes[ClockSource.instanceKey] = .string("sidecar")
        return spans
    }

    @Test("hops corrected by arithmetic equal the hops between the corrected spans; a message published twice is flagged")
    func correctedHops() {
        var random = SplitMix64(seed: 0x0FF5)
        for republish in [false, true] {
            let read = MessageSpan.read(Self.spans(republish: republish), typeAttribute: nil)
            let hops = FlowHops(messages: read)
            #expect(hops.hasRepeatedPublishes == republish)
            #expect(hops.hops.count == 5)
            // With one publish per message the arithmetic is exact; with two (from two sources),
            // some corrections change which is the earliest: why the builder pairs those again.
            var differs = 0
            for _ in 0..<200 {
                var correction = ClockCorrection()
                for source in ["checkout", "order", "order@sidecar", "payment"] where random.next() % 3 != 0 {
                    correction.bySource[source] = .init(offsetNanos: Int64(random.next() % 21) * Self.ms - 10 * Self.ms)
                }
                let paired = FlowHops(messages: read.map(correction.apply)).hops.map(\.hop)
                let shifted = hops.hops.map { $0.hop(correctedBy: correction) }
                if shifted != paired { differs += 1 }
            }
            if republish { #expect(differs > 0) } else { #expect(differs == 0) }
        }
    }

    @Test("learning counts each hop once across rebuilds: a handler's publish gives both its hops or neither")
    func learningCountsOnce() throws {
        let spans = Self.spans(republish: false)
        let estimator = SharedClockSkewEstimator()
        let builder = FlowBuilder()
        // Without the delivery of m3, only the hops whose both ends arrived.
        let early = spans.filter { !($0.kind == .consumer && $0.messageID == "m3") }
        _ = try #require(builder.build(correlationID: "order-1", spans: early, now: SpanScript.nanos(1_000), learningClocksInto: estimator))
        let first = estimator.observedHops
        #expect(first == 4)  // checkout→order, order@sidecar→payment, order⇄order@sidecar
        _ = try #require(builder.build(correlationID: "order-1", spans: early, now: SpanScript.nanos(1_000), learningClocksInto: estimator))
        #expect(estimator.observedHops == first)
        _ = try #require(builder.build(correlationID: "order-1", spans: spans, now: SpanScript.nanos(1_000), learningClocksInto: estimator))
        #expect(estimator.observedHops == first + 1)  // payment→order
    }
}
