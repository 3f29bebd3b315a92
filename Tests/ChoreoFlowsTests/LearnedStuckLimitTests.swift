import ChoreoModel
import Testing
import ChoreoFlows

@Suite("FlowBuilder: stuck limits per awaited type")
struct LearnedStuckLimitTests {
    static let second: UInt64 = 1_000_000_000
    /// Last activity of ``Sagas/waitingForInventory(mode:)``, which waits for `PaymentReceived`.
    let lastActivity = SpanScript.nanos(12)

    func status(_ options: FlowOptions, after idle: UInt64) throws -> Flow {
        let script = Sagas.waitingForInventory()
        return try #require(FlowBuilder(options: options).build(correlationID: script.correlationID, spans: script.spans, now: lastActivity + idle))
    }

    /// Options whose limits come from 30 consumptions of `type`, each `latency` after publish.
    func learned(_ type: String, latency: UInt64) -> FlowOptions {
        var learner = LatencyLearner()
        for _ in 0..<30 { learner.record(type: type, latencyNanos: latency) }
        return FlowOptions(stuckLimits: learner.limits())
    }

    @Test("a flow waiting on a type normally consumed in 5 ms is stuck after the floor, not after 5 minutes")
    func fastType() throws {
        let options = learned("PaymentReceived", latency: 5_000_000)
        let before = try status(options, after: 2 * Self.second)
        #expect(before.status == .inFlight)
        let after = try status(options, after: 2 * Self.second + 1)
        #expect(after.status == .stuck)
        #expect(after.waitingFor == "PaymentReceived")
        #expect(try status(FlowOptions(), after: 2 * Self.second + 1).status == .inFlight, "without learned limits: the fixed 5 minutes")
    }

    @Test("the limit is the awaited type's own, not another type's")
    func ownType() throws {
        var learner = LatencyLearner()
        for _ in 0..<30 { learner.record(type: "OrderPlaced", latencyNanos: 5_000_000) }
        for _ in 0..<30 { learner.record(type: "PaymentReceived", latencyNanos: 3 * Self.second) }
        let options = FlowOptions(stuckLimits: learner.limits())
        #expect(options.smallestStuckLimitNanos == 2 * Self.second)
        #expect(try status(options, after: 10 * Self.second).status == .inFlight, "PaymentReceived's limit is 30 s")
        #expect(try status(options, after: 30 * Self.second + 1).status == .stuck)
    }

    @Test("a type without history falls back to the global limit")
    func unseenType() throws {
        let options = learned("OrderPlaced", latency: 500_000_000)
        #expect(try status(options, after: 5 * Self.second).status == .inFlight)
        let flow = try status(options, after: 5 * Self.second + 1)
        #expect(flow.status == .stuck)
        #expect(flow.waitingFor == "PaymentReceived")
    }
}
