import ChoreoModel
import ChoreoStore
import Foundation
import Testing

/// A trace summary from a collector (what `choreo traces search` reads) with hostile numbers
/// or times is a decoding error, never a trap.
@Suite("TraceSummary decoding of hostile JSON")
struct TraceSummaryDecodingTests {
    func decode(startTime: String = "2026-05-01T12:00:00.000Z", durationMs: String = "1.5") throws -> TraceSummary {
        let json = """
            {"trace_id": "\(String(repeating: "ab", count: 16))", "root_name": "r", "service": "s",
             "start_time": "\(startTime)", "duration_ms": \(durationMs), "span_count": 1, "error_count": 0}
            """
        return try JSONDecoder().decode(TraceSummary.self, from: Data(json.utf8))
    }

    @Test("durations that are too large for nanoseconds are refused", arguments: ["1e300", "18446744073709.56"])
    func hugeDuration(durationMs: String) {
        #expect(throws: DecodingError.self) { try decode(durationMs: durationMs) }
    }

    @Test("a negative duration reads as zero; an ordinary one as nanoseconds")
    func ordinary() throws {
        #expect(try decode(durationMs: "-3").durationNanos == 0)
        #expect(try decode(durationMs: "-1e300").durationNanos == 0)
        #expect(try decode(durationMs: "1.5").durationNanos == 1_500_000)
    }

    @Test(
        "start times past the largest nanosecond count or with offsets out of range are refused",
        arguments: [
            "2600-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2026-01-01T00:00:00+99:99",
        ])
    func hostileStart(startTime: String) {
        #expect(throws: DecodingError.self) { try decode(startTime: startTime) }
    }
}
