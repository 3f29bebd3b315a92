import ChoreoModel
import Foundation
import Testing

@Suite("SpanRecord JSON")
struct SpanRecordJSONTests {
    static let record = SpanRecord(
        traceID: TraceID(high: 0x4BF9_2F35_77B3_4DA6, low: 0xA3CE_929D_0E0E_4736),
        spanID: SpanID(0x00F0_67AA_0BA9_02B7),
        parentSpanID: SpanID(0x1122_3344_5566_7788),
        traceState: "congo=t61rcWkgMzE",
        name: "process payments",
        kind: .consumer,
        startTimeUnixNano: 1_795_305_341_123_456_789,
        endTimeUnixNano: 1_795_305_341_125_956_789,
        attributes: [
            MessagingKey.system: .string("memory"),
            ChoreoKey.deliveryAttempt: .int(2),
            "ratio": .double(0.25),
            "flag": .bool(true),
            "tags": .stringArray(["a", "b"]),
            "counts": .intArray([1, 2, 3]),
            "weights": .doubleArray([0.5, 1.5]),
            "bits": .boolArray([true, false]),
        ],
        events: [SpanEvent(name: "exception", timeUnixNano: 1_795_305_341_124_000_000, attributes: ["exception.type": .string("Declined")])],
        links: [SpanLink(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), attributes: ["kind": .string("producer")])],
        statusCode: .error,
        statusMessage: "card declined",
        serviceName: "payment",
        resourceAttributes: ["host.name": .string("h1")],
        scopeName: "choreo"
    )

    @Test("round-trips every field")
    func roundTrip() throws {
        let decoded = try JSONDecoder().decode(SpanRecord.self, from: try JSONEncoder().encode(Self.record))
        #expect(decoded == Self.record)
    }

    @Test("a root span without optional fields round-trips")
    func minimal() throws {
        let record = SpanRecord(
            traceID: TraceID(high: 0, low: 1), spanID: SpanID(1), name: "root",
            startTimeUnixNano: 10, endTimeUnixNano: 5)
        let data = try JSONEncoder().encode(record)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["parent_span_id"] is NSNull)
        #expect(json["duration_ms"] as? Double == 0)  // end before start never goes negative
        #expect(try JSONDecoder().decode(SpanRecord.self, from: data) == record)
    }

    @Test("ids are lower-case hex, times exact and readable, keys snake_case")
    func shape() throws {
        let data = try JSONEncoder().encode(Self.record)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["trace_id"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(json["span_id"] as? String == "00f067aa0ba902b7")
        #expect(json["parent_span_id"] as? String == "1122334455667788")
        #expect(json["start_time_unix_nano"] as? UInt64 == 1_795_305_341_123_456_789)
        #expect(json["start_time"] as? String == "2026-11-21T23:55:41.123Z")
        #expect(json["duration_ms"] as? Double == 2.5)
        #expect(json["kind"] as? String == "consumer")
        #expect(json["service"] as? String == "payment")
        let status = try #require(json["status"] as? [String: Any])
        #expect(status["code"] as? String == "error")
        #expect(status["message"] as? String == "card declined")
    }
}
