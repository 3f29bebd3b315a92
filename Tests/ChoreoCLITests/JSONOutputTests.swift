import ChoreoFlows
import ChoreoModel
import ChoreoQuery
import Foundation
import Testing

@testable import ChoreoCLI

@Suite("JSON output")
struct JSONOutputTests {
    typealias F = Fixtures

    func object(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test("flows list --json is an array of objects with exactly the contract's keys")
    func listKeys() throws {
        let flows = [F.summary("o-1", .completed, outcome: "OrderCompleted"), F.summary("o-2", .inFlight)]
        let array = try #require(try object(JSONOutput.string(flows)) as? [[String: Any]])
        #expect(array.count == 2)
        let expected: Set = [
            "correlation_id", "status", "outcome", "started_at", "last_activity_at", "step_count",
            "compensation_count", "error_count", "waiting_for", "services", "types",
        ]
        for element in array { #expect(Set(element.keys) == expected) }
        #expect(array[1]["status"] as? String == "in_flight")
        #expect(array[1]["outcome"] is NSNull)
        #expect(array[0]["started_at"] as? String == "2026-05-01T12:00:00.000Z")
        #expect(array[0]["step_count"] as? Int == 3)
        let empty = try #require(try object(JSONOutput.string([FlowSummary]())) as? [Any])
        #expect(empty.isEmpty)
    }

    @Test("flows show --json has the flow, step and delivery keys of the contract")
    func showKeys() throws {
        let flow = F.flow([
            F.step("m1", "OrderPlaced", from: "checkout", at: 0, deliveries: [F.delivery("payment", .deadLettered, attempts: 3, error: "x")]),
            F.step("m2", "PaymentRefunded", from: "payment", causedBy: "m1", compensates: "m1", at: 5),
        ])
        let root = try #require(try object(JSONOutput.string(flow)) as? [String: Any])
        #expect(
            Set(root.keys).isSuperset(of: [
                "correlation_id", "status", "outcome", "trace_ids", "started_at", "ended_at", "waiting_for", "gaps", "steps",
            ]))
        #expect(root["trace_ids"] as? [String] == [F.traceID.hex])
        let steps = try #require(root["steps"] as? [[String: Any]])
        #expect(
            Set(steps[0].keys).isSuperset(of: [
                "message_id", "type", "source", "causation_id", "compensates", "published_at", "topic", "trace_id", "span_id", "deliveries",
            ]))
        #expect(steps[1]["compensates"] as? String == "m1")
        #expect(steps[0]["causation_id"] is NSNull)
        let delivery = try #require((steps[0]["deliveries"] as? [[String: Any]])?.first)
        #expect(Set(delivery.keys).isSuperset(of: ["consumer", "attempts", "outcome", "error", "started_at", "ended_at"]))
        #expect(delivery["outcome"] as? String == "dead_lettered")
    }

    @Test("traces get --json is {trace_id, spans} and survives a round trip")
    func traceDocument() throws {
        let document = TraceDocument(traceID: F.traceID, spans: [F.span(1, "send orders", kind: .producer, start: 0, end: 3)])
        let text = try JSONOutput.string(document)
        let root = try #require(try object(text) as? [String: Any])
        #expect(Set(root.keys) == ["trace_id", "spans"])
        #expect(root["trace_id"] as? String == F.traceID.hex)
        let span = try #require((root["spans"] as? [[String: Any]])?.first)
        #expect(span["span_id"] as? String == SpanID(1).hex)
        #expect(try JSONDecoder().decode(TraceDocument.self, from: Data(text.utf8)) == document)
    }

    @Test("the collector's answer decodes and re-encodes to the same contract")
    func passThrough() throws {
        let server = """
            [{"correlation_id":"o-9","status":"stuck","outcome":null,"started_at":"2026-05-01T12:00:00.000Z",
              "last_activity_at":"2026-05-01T12:05:00.000Z","step_count":2,"compensation_count":0,"error_count":1,
              "waiting_for":"PaymentCharged","services":["order"],"types":["OrderPlaced"]}]
            """
        let flows = try CollectorResponse.decode([FlowSummary].self, status: 200, body: Array(server.utf8), url: "u", notFound: nil)
        let reencoded = try #require(try object(JSONOutput.string(flows)) as? NSArray)
        let original = try #require(try object(server) as? NSArray)
        #expect(reencoded == original)
    }
}
