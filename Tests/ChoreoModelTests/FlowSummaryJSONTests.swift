import ChoreoModel
import Foundation
import Testing

@Suite("FlowSummary JSON contract")
struct FlowSummaryJSONTests {
    static let summary = FlowSummary(
        correlationID: "order-42", status: .inFlight, outcome: nil,
        startedAtUnixNano: 1_795_305_341_123_000_000, lastActivityAtUnixNano: 1_795_305_342_500_000_000,
        stepCount: 5, compensationCount: 1, errorCount: 2, waitingFor: "PaymentReceived",
        services: ["checkout", "payment"], types: ["OrderPlaced", "PaymentRequested"]
    )

    func object(_ summary: FlowSummary) throws -> [String: Any] {
        let data = try JSONEncoder().encode(summary)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("keys are the documented snake_case names")
    func keys() throws {
        let keys = Set(try object(Self.summary).keys)
        #expect(
            keys == [
                "correlation_id", "status", "outcome", "started_at", "last_activity_at", "step_count",
                "compensation_count", "error_count", "waiting_for", "services", "types",
            ])
    }

    @Test("times are RFC 3339 and the status is its wire name")
    func values() throws {
        let json = try object(Self.summary)
        #expect(json["started_at"] as? String == "2026-11-21T23:55:41.123Z")
        #expect(json["last_activity_at"] as? String == "2026-11-21T23:55:42.500Z")
        #expect(json["status"] as? String == "in_flight")
        #expect(json["step_count"] as? Int == 5)
        #expect(json["services"] as? [String] == ["checkout", "payment"])
    }

    @Test("a missing outcome is encoded as an explicit null")
    func nullOutcome() throws {
        let text = String(decoding: try JSONEncoder().encode(Self.summary), as: UTF8.self)
        #expect(text.contains("\"outcome\":null"))
        #expect(try object(Self.summary)["outcome"] is NSNull)
    }

    @Test("decodes what it encodes", arguments: FlowStatus.allCases)
    func roundTrip(_ status: FlowStatus) throws {
        var summary = Self.summary
        summary.status = status
        summary.outcome = status == .completed ? "OrderCompleted" : nil
        let decoded = try JSONDecoder().decode(FlowSummary.self, from: try JSONEncoder().encode(summary))
        #expect(decoded == summary)
    }

    @Test("a malformed time is a decoding error")
    func badTime() throws {
        let json = """
            {"correlation_id":"x","status":"completed","outcome":null,"started_at":"yesterday",
             "last_activity_at":"2026-11-21T23:55:42.500Z","step_count":1,"compensation_count":0,"error_count":0}
            """
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FlowSummary.self, from: Data(json.utf8)) }
    }
}
