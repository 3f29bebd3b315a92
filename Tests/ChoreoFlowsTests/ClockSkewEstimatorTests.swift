import ChoreoFlows
import ChoreoModel
import Foundation
import Testing

@Suite("Clock skew estimation")
struct ClockSkewEstimatorTests {
    static let ms: Int64 = 1_000_000

    /// Hops between two sources whose clocks differ by `skew` (B's clock minus A's), with true
    /// one-way delays drawn from `aToB` and `bToA` (milliseconds, uniform).
    static func hops(
        count: Int, skew: Int64, aToB: ClosedRange<Double> = 1...20, bToA: ClosedRange<Double> = 1...20, seed: UInt64 = 7
    ) -> [ClockHop] {
        var random = SplitMix64(seed: seed)
        func draw(_ range: ClosedRange<Double>) -> Int64 {
            Int64((range.lowerBound + (range.upperBound - range.lowerBound) * random.nextFraction()) * Double(ms))
        }
        var hops: [ClockHop] = []
        for _ in 0..<count {
            hops.append(ClockHop(from: "a", to: "b", delayNanos: draw(aToB) + skew))
            hops.append(ClockHop(from: "b", to: "a", delayNanos: draw(bToA) - skew))
        }
        return hops
    }

    static func estimate(_ hops: [ClockHop], configuration: ClockSkewEstimator.Configuration = .init()) -> ClockOffsets {
        var estimator = ClockSkewEstimator(configuration: configuration)
        for hop in hops { estimator.observe(hop) }
        return estimator.offsets()
    }

    /// Every hop, corrected by `offsets`, has a delay of 0 or more.
    static func causal(_ hops: [ClockHop], _ offsets: ClockOffsets) -> Bool {
        hops.allSatisfy { hop in
            hop.delayNanos - (offsets.offset(of: hop.to)?.nanos ?? 0) + (offsets.offset(of: hop.from)?.nanos ?? 0) >= 0
        }
    }

    @Test("many hops both ways: a skew of ±2 s is estimated within the smallest delays, and is certain", arguments: [2_000 * ms, -2_000 * ms])
    func manyHops(skew: Int64) throws {
        // "a" sees more hops as the source of a third pair, so it is the reference.
        let hops = Self.hops(count: 200, skew: skew) + [ClockHop(from: "a", to: "c", delayNanos: 5 * Self.ms)]
        let offsets = Self.estimate(hops)
        let a = try #require(offsets.offset(of: "a"))
        let b = try #require(offsets.offset(of: "b"))
        #expect(a.nanos == 0 && a.reference == "a" && !a.uncertain)
        #expect(b.reference == "a")
        #expect(!b.uncertain)
        #expect(abs(b.nanos - skew) <= 1 * Self.ms, "estimate \(b.nanos) for \(skew)")
        let lower = try #require(b.lowerNanos)
        let upper = try #require(b.upperNanos)
        #expect(lower <= skew && skew <= upper)
        #expect(b.hops == 400)
        #expect(Self.causal(hops, offsets))
    }

    @Test("few hops: uncertain, and only the smallest shift causality demands (no guess)", arguments: [2_000 * ms, -2_000 * ms])
    func fewHops(skew: Int64) throws {
        let hops = Self.hops(count: 3, skew: skew)
        let b = try #require(Self.estimate(hops).offset(of: "b"))
        #expect(b.uncertain)
        let lower = try #require(b.lowerNanos)
        let upper = try #require(b.upperNanos)
        #expect(lower <= skew && skew <= upper)
        // The bound nearest 0: the recorded order is restored, and not one nanosecond more.
        #expect(b.nanos == (skew > 0 ? lower : upper))
        #expect(Self.causal(hops, Self.estimate(hops)))
    }

    @Test("hops in one direction only bound one side: a shift only when the times break causality")
    func oneDirection() throws {
        // One hop to a third source makes order the reference (most hops).
        let behind =
            (0..<50).map { i in ClockHop(from: "order", to: "notification", delayNanos: -2_000 * Self.ms + (3 + Int64(i % 5)) * Self.ms) }
            + [ClockHop(from: "order", to: "shipment", delayNanos: 4 * Self.ms)]
        let late = try #require(Self.estimate(behind).offset(of: "notification"))
        #expect(late.uncertain)
        #expect(late.lowerNanos == nil)
        #expect(late.upperNanos == -1_997 * Self.ms)
        #expect(late.nanos == -1_997 * Self.ms)

        let ahead = behind.map { ClockHop(from: $0.from, to: $0.to, delayNanos: $0.delayNanos + 4_000 * Self.ms) }
        let early = try #require(Self.estimate(ahead).offset(of: "notification"))
        #expect(early.uncertain)
        #expect(early.nanos == 0, "no evidence asks for a shift")
    }

    @Test("asymmetric delays: the error stays within half the interval; too wide an interval is uncertain")
    func asymmetric() throws {
        let skew = 1_500 * Self.ms
        let hops = Self.hops(count: 100, skew: skew, aToB: 1...3, bToA: 8...30)
        let b = try #require(Self.estimate(hops).offset(of: "b"))
        #expect(!b.uncertain)
        let lower = try #require(b.lowerNanos)
        let upper = try #require(b.upperNanos)
        #expect(lower <= skew && skew <= upper)
        #expect(abs(b.nanos - skew) <= (upper - lower) / 2 + 1)
        #expect(abs(b.nanos - skew) > 2 * Self.ms, "the midpoint is biased by the asymmetry, as NTP's is")

        let wide = Self.hops(count: 100, skew: skew, aToB: 1...3, bToA: 40...60)
        let uncertain = try #require(Self.estimate(wide).offset(of: "b"))
        #expect(uncertain.uncertain)
        #expect(Self.causal(wide, Self.estimate(wide)))
    }

    @Test("sources linked only through a hub get offsets through it (bounds chained across pairs)")
    func chained() throws {
        var hops: [ClockHop] = []
        for i in 0..<40 {
            let d = Int64(2 + i % 7) * Self.ms
            hops.append(ClockHop(from: "order", to: "payment", delayNanos: d + 1_500 * Self.ms))
            hops.append(ClockHop(from: "payment", to: "order", delayNanos: d - 1_500 * Self.ms))
            hops.append(ClockHop(from: "order", to: "shipment", delayNanos: d - 2_000 * Self.ms))
            hops.append(ClockHop(from: "shipment", to: "order", delayNanos: d + 2_000 * Self.ms))
            hops.append(ClockHop(from: "payment", to: "shipment", delayNanos: d - 3_500 * Self.ms))
        }
        let offsets = Self.estimate(hops)
        #expect(offsets.offset(of: "order")?.nanos == 0)
        #expect(offsets.bySource.values.allSatisfy { $0.reference == "order" && !$0.uncertain })
        #expect(offsets.offset(of: "payment")?.nanos == 1_500 * Self.ms)
        #expect(offsets.offset(of: "shipment")?.nanos == -2_000 * Self.ms)
        #expect(Self.causal(hops, offsets))
    }

    @Test("a clock that drifts is followed: the window keeps only the latest hops of each pair")
    func drift() throws {
        let configuration = ClockSkewEstimator.Configuration(hopsPerPair: 64)
        var estimator = ClockSkewEstimator(configuration: configuration)
        for hop in Self.hops(count: 64, skew: 100 * Self.ms, aToB: 1...2, bToA: 1...2) { estimator.observe(hop) }
        #expect(abs((estimator.offsets().offset(of: "b")?.nanos ?? 0) - 100 * Self.ms) <= Self.ms)
        for hop in Self.hops(count: 64, skew: 300 * Self.ms, aToB: 1...2, bToA: 1...2, seed: 8) { estimator.observe(hop) }
        #expect(abs((estimator.offsets().offset(of: "b")?.nanos ?? 0) - 300 * Self.ms) <= Self.ms)
        #expect(estimator.observedHops == 256)
    }

    @Test("sources beyond the bound are not tracked and their hops are counted")
    func boundedSources() {
        var estimator = ClockSkewEstimator(configuration: .init(maxSources: 2))
        estimator.observe(ClockHop(from: "a", to: "b", delayNanos: 1))
        estimator.observe(ClockHop(from: "a", to: "c", delayNanos: 1))
        estimator.observe(ClockHop(from: "a", to: "a", delayNanos: -5))
        #expect(estimator.trackedSources == ["a", "b"])
        #expect(estimator.droppedHops == 1)
        #expect(estimator.observedHops == 1)
    }

    @Test("hops come from deliveries after their publish and from a handler's publish recorded by another source")
    func hopsFromSpans() throws {
        var script = SpanScript()
        script.publish("m1", "OrderPlaced", by: "checkout", at: 0)
        script.deliver("m1", to: "order", at: 5, durationMs: 10)
        script.publish("m2", "ChargePayment", by: "order", causedBy: "m1", at: 8)
        script.deliver("m2", to: "payment", at: 2)
        var spans = script.spans
        // The handler's publish is recorded by a sidecar with a clock of its own.
        let publish = try #require(spans.firstIndex { $0.messageID == "m2" && $0.kind == .producer })
        spans[publish].resourceAttributes[ClockSource.instanceKey] = .string("sidecar")
        let hops = ClockSkewEstimator.hops(in: spans + spans)
        let described = Set(hops.map { "\($0.from)>\($0.to) \($0.delayNanos / Self.ms)" })
        #expect(described == ["checkout>order 5", "order@sidecar>payment -6", "order>order@sidecar 3", "order@sidecar>order 7"])
    }

    @Test("offsets round-trip through JSON in milliseconds")
    func json() throws {
        let offsets = ClockOffsets(bySource: [
            "payment": ClockOffset(nanos: 1_500_250_000, reference: "order", lowerNanos: 1_499_000_000, upperNanos: 1_501_500_000, hops: 80),
            "notification": ClockOffset(nanos: 0, reference: "order", upperNanos: 3_000_000, hops: 4, uncertain: true),
        ])
        let data = try JSONEncoder().encode(offsets)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"offset_ms\":1500.25"))
        #expect(text.contains("\"lower_ms\":null"))
        #expect(try JSONDecoder().decode(ClockOffsets.self, from: data) == offsets)
    }
}
