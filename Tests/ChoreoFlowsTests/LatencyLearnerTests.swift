import ChoreoModel
import Testing
import ChoreoFlows

@Suite("LatencyLearner: consumption latencies and the limits they give")
struct LatencyLearnerTests {
    static let ms: UInt64 = 1_000_000
    static let second: UInt64 = 1_000_000_000

    @Test("percentiles are nearest-rank over the kept samples")
    func percentiles() {
        var learner = LatencyLearner()
        for value in (1...100).reversed() { learner.record(type: "A", latencyNanos: UInt64(value) * Self.ms) }
        #expect(learner.sampleCount(for: "A") == 100)
        #expect(learner.percentileNanos(0.99, of: "A") == 99 * Self.ms)
        #expect(learner.percentileNanos(0.5, of: "A") == 50 * Self.ms)
        #expect(learner.percentileNanos(1, of: "A") == 100 * Self.ms)
        #expect(learner.percentileNanos(0.99, of: nil) == 99 * Self.ms, "every sample also counts globally")
        #expect(learner.percentileNanos(0.99, of: "B") == nil)
    }

    @Test("reservoirs keep only the latest samples, per type and globally")
    func bounded() {
        var learner = LatencyLearner(configuration: .init(samplesPerType: 10, globalSamples: 15, maxTypes: 1))
        for value in 1...100 { learner.record(type: "A", latencyNanos: UInt64(value)) }
        #expect(learner.sampleCount(for: "A") == 10)
        #expect(learner.percentileNanos(0.01, of: "A") == 91, "the oldest 90 samples were replaced")
        #expect(learner.sampleCount(for: nil) == 15)
        learner.record(type: "B", latencyNanos: 1000)
        #expect(learner.trackedTypes == ["A"], "types beyond maxTypes are not tracked")
        #expect(learner.droppedTypeSamples == 1)
        #expect(learner.percentileNanos(1, of: nil) == 1000, "a dropped type still counts globally")
    }

    @Test(
        "a limit is p99 × margin, clamped to floor and ceiling",
        arguments: [
            (p99: 1 * ms, limit: 2 * second),
            (p99: 300 * ms, limit: 3 * second),
            (p99: 1 * second, limit: 10 * second),
            (p99: 60 * second, limit: 300 * second),
            (p99: UInt64.max, limit: 300 * second),
        ])
    func clamping(p99: UInt64, limit: UInt64) {
        let learner = LatencyLearner()
        #expect(learner.limit(fromP99: p99) == limit)
    }

    @Test("the ceiling wins when the floor is above it")
    func crossedBounds() {
        let learner = LatencyLearner(configuration: .init(floorNanos: 10 * Self.second, ceilingNanos: Self.second))
        #expect(learner.limit(fromP99: Self.ms) == Self.second)
    }

    @Test("a type with enough samples gets its own limit, others the global one, else the ceiling")
    func fallbacks() {
        var learner = LatencyLearner()
        #expect(learner.limits() == StuckLimits(fallbackNanos: FlowOptions.defaultStuckAfterNanos))
        for _ in 0..<19 { learner.record(type: "Slow", latencyNanos: 2 * Self.second) }
        #expect(learner.limits().perTypeNanos.isEmpty)
        #expect(learner.limits().fallbackNanos == FlowOptions.defaultStuckAfterNanos, "19 samples in all: still the ceiling")
        for _ in 0..<25 { learner.record(type: "Fast", latencyNanos: 500 * Self.ms) }
        let limits = learner.limits()
        #expect(limits.limitNanos(for: "Fast") == 5 * Self.second)
        #expect(limits.perTypeNanos["Slow"] == nil, "19 samples are too few for a limit of its own")
        #expect(limits.limitNanos(for: "Slow") == 20 * Self.second, "global p99 (2 s) × 10")
        #expect(limits.limitNanos(for: "Unseen") == 20 * Self.second)
        #expect(limits.smallestNanos == 5 * Self.second)
    }

    @Test("observing a flow records each handled step once, however often it is observed")
    func observeFlow() throws {
        let script = Sagas.happy()
        let flow = try #require(FlowBuilder().build(correlationID: script.correlationID, spans: script.spans, now: SpanScript.nanos(100)))
        var learner = LatencyLearner()
        learner.observe(flow)
        learner.observe(flow)
        #expect(learner.sampleCount(for: nil) == 5)
        #expect(learner.sampleCount(for: "OrderPlaced") == 1)
        #expect(learner.percentileNanos(1, of: "OrderPlaced") == 10 * Self.ms, "published at 0 ms, processed from 10 ms")
        #expect(learner.percentileNanos(1, of: "PaymentReceived") == 9 * Self.ms)
    }

    @Test("unconsumed, dead-lettered and producer-less steps give no sample")
    func skipped() throws {
        var script = Sagas.waitingForInventory()
        script.drop { $0.kind == .producer && $0.messageID == "m1" }
        let flow = try #require(FlowBuilder().build(correlationID: script.correlationID, spans: script.spans, now: SpanScript.nanos(100)))
        var learner = LatencyLearner()
        learner.observe(flow)
        #expect(learner.sampleCount(for: nil) == 0)
        let dead = Sagas.deadLettered()
        let deadFlow = try #require(FlowBuilder().build(correlationID: dead.correlationID, spans: dead.spans, now: SpanScript.nanos(100)))
        learner.observe(deadFlow)
        let deadTypes = Set(deadFlow.steps.filter { $0.deliveries.allSatisfy { $0.outcome != .handled } }.map(\.type))
        #expect(!deadTypes.isEmpty)
        #expect(deadTypes.allSatisfy { learner.sampleCount(for: $0) == 0 })
    }

    @Test("the shared learner accumulates across calls and hands out copies")
    func shared() {
        let shared = SharedLatencyLearner()
        let script = Sagas.happy()
        let flows = (0..<5).compactMap { i in
            FlowBuilder().build(correlationID: script.correlationID, spans: script.spans, now: SpanScript.nanos(100)).map {
                var flow = $0
                flow.correlationID = "order-\(i)"
                return flow
            }
        }
        shared.observe(flows)
        #expect(shared.snapshot().sampleCount(for: nil) == 25)
        #expect(shared.limits().fallbackNanos == 2 * Self.second, "10 ms p99 × 10 is below the 2 s floor")
    }
}
