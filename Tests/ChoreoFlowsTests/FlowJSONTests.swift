import ChoreoModel
import Foundation
import Testing
import ChoreoFlows

@Suite("Flow JSON contract")
struct FlowJSONTests {
    let builder = FlowBuilder()

    func flow(_ scenario: Scenario, now: UInt64 = SpanScript.nanos(3_600_000)) throws -> Flow {
        let script = scenario.script()
        return try #require(builder.build(correlationID: script.correlationID, spans: script.spans, now: now))
    }

    func object(_ flow: Flow) throws -> [String: Any] {
        let data = try JSONEncoder().encode(flow)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("flow, step and delivery carry every contract key, with explicit nulls")
    func keysAndNulls() throws {
        let json = try object(try flow(.waitingForInventory, now: SpanScript.nanos(20)))
        let flowKeys: Set = ["correlation_id", "status", "outcome", "trace_ids", "started_at", "ended_at", "waiting_for", "gaps", "steps"]
        #expect(flowKeys.isSubset(of: Set(json.keys)))
        #expect(json["status"] as? String == "in_flight")
        #expect(json["outcome"] is NSNull)
        #expect(json["waiting_for"] as? String == "PaymentReceived")
        #expect(json["correlation_id"] as? String == "order-1")
        let traceIDs = try #require(json["trace_ids"] as? [String])
        #expect(traceIDs.count == 1 && traceIDs[0].count == 32)
        #expect((json["started_at"] as? String).flatMap(UnixTime.parseRFC3339) == SpanScript.nanos(0))

        let steps = try #require(json["steps"] as? [[String: Any]])
        let stepKeys: Set = ["message_id", "type", "source", "causation_id", "compensates", "published_at", "topic", "trace_id", "span_id", "deliveries"]
        for step in steps { #expect(stepKeys.isSubset(of: Set(step.keys))) }
        #expect(steps[0]["causation_id"] is NSNull)
        #expect(steps[0]["compensates"] is NSNull)
        #expect(steps[1]["causation_id"] as? String == "m1")
        #expect((steps[1]["deliveries"] as? [Any])?.isEmpty == true)

        let delivery = try #require((steps[0]["deliveries"] as? [[String: Any]])?.first)
        let deliveryKeys: Set = ["consumer", "attempts", "outcome", "error", "started_at", "ended_at"]
        #expect(deliveryKeys.isSubset(of: Set(delivery.keys)))
        #expect(delivery["error"] is NSNull)
        #expect(delivery["outcome"] as? String == "handled")
        #expect(delivery["attempts"] as? Int == 1)
    }

    @Test("status, outcome, compensates and errors are encoded by value")
    func values() throws {
        let compensated = try object(try flow(.compensated))
        #expect(compensated["status"] as? String == "compensated")
        #expect(compensated["outcome"] as? String == "OrderCancelled")
        #expect(compensated["waiting_for"] is NSNull)
        let steps = try #require(compensated["steps"] as? [[String: Any]])
        #expect(steps.contains { $0["compensates"] as? String == "m2" })

        let dead = try object(try flow(.deadLettered))
        #expect(dead["status"] as? String == "failed")
        let last = try #require((dead["steps"] as? [[String: Any]])?.last)
        let delivery = try #require((last["deliveries"] as? [[String: Any]])?.first)
        #expect(delivery["outcome"] as? String == "dead_lettered")
        #expect(delivery["error"] as? String == "db still down")
        #expect(delivery["attempts"] as? Int == 3)
    }

    @Test("a flow survives encoding and decoding unchanged", arguments: Scenario.allCases)
    func roundTrip(_ scenario: Scenario) throws {
        let original = try flow(scenario)
        let decoded = try JSONDecoder().decode(Flow.self, from: try JSONEncoder().encode(original))
        #expect(decoded == original)
    }

    @Test("a malformed time is a decoding error")
    func badTime() throws {
        var json = try object(try flow(.declined))
        json["started_at"] = "yesterday"
        let data = try JSONSerialization.data(withJSONObject: json)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Flow.self, from: data) }
    }
}
