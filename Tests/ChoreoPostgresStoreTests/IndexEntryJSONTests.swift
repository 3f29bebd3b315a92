import ChoreoModel
import ChoreoStore
import Foundation
import Testing

@testable import ChoreoPostgresStore

/// The index upsert's hand-written JSON document says what Foundation's `JSONEncoder` says of the
/// same entries: read back by `JSONDecoder`, field by field (an absent optional is `null` in one
/// and missing in the other, which reads the same).
@Suite("PostgreSQL index upsert: the JSON document")
struct IndexEntryJSONTests {
    /// The entry's fields as read back from either document.
    struct Decoded: Decodable, Equatable {
        var c: String
        var status: String
        var outcome: String?
        var started: Int64
        var last: Int64
        var steps: Int64
        var compensations: Int64
        var errors: Int64
        var waiting: String?
        var services: [String]
        var types: [String]
        var trail_types: [String]?
        var trail_services: [String]?
        var trail_times: [Int64]?
        var due: Int64?
        var sampled: Int64?
    }

    static let texts = [
        "OrderPlaced", "", "quote\"inside", "back\\slash", "\\\"", "line\nfeed", "tab\there", "bell\u{7}", "esc\u{1B}[0m",
        "del\u{7F}", "ünïcødé ✓ 🚚", "slash/", "\u{2028}separator", "nul\u{0}inside", "{\"json\":[1,2]}",
    ]

    @Test("equals JSONEncoder's document over 500 random entries with hostile text and extreme numbers")
    func equalsFoundation() throws {
        var random = SystemRandomNumberGenerator()
        func text() -> String { Self.texts.randomElement(using: &random)! + (Bool.random(using: &random) ? "" : "\(Int.random(in: 0...99, using: &random))") }
        func nanos() -> UInt64 {
            [0, 1, 1_800_000_000_000_000_000, UInt64(Int64.max), .max, .random(in: 0...UInt64.max, using: &random)].randomElement(using: &random)!
        }
        var entries: [IndexEntry] = []
        for _ in 0..<500 {
            let summary = FlowSummary(
                correlationID: text(), status: FlowStatus.allCases.randomElement(using: &random)!, outcome: Bool.random(using: &random) ? text() : nil,
                startedAtUnixNano: nanos(), lastActivityAtUnixNano: nanos(), stepCount: .random(in: 0...1_000_000, using: &random),
                compensationCount: .random(in: 0...9, using: &random), errorCount: .random(in: 0...9, using: &random),
                waitingFor: Bool.random(using: &random) ? text() : nil, services: (0..<Int.random(in: 0...4, using: &random)).map { _ in text() },
                types: (0..<Int.random(in: 0...4, using: &random)).map { _ in text() }
            )
            let trail =
                Bool.random(using: &random)
                ? (0..<Int.random(in: 0...5, using: &random)).map { _ in FlowTrail.Step(type: text(), service: text(), publishedAtUnixNano: nanos()) }
                : nil
            entries.append(
                IndexEntry(
                    summary, trail: trail, due: Bool.random(using: &random) ? nanos() : nil,
                    sampledOut: Bool.random(using: &random) ? nanos() : nil))
        }
        let ours = try JSONDecoder().decode([Decoded].self, from: Data(IndexEntryJSON.document(entries).utf8))
        let foundation = try JSONDecoder().decode([Decoded].self, from: JSONEncoder().encode(entries))
        #expect(ours.count == 500)
        for (index, pair) in zip(ours, foundation).enumerated() {
            #expect(pair.0 == pair.1, "entry \(index)")
        }
        #expect(IndexEntryJSON.document([]) == "[]")
    }

    @Test("integers at the edges of Int64 are written exactly")
    func integers() {
        for value: Int64 in [0, 7, -7, 10, 1_000_000, .max, .min, .max - 1, .min + 1] {
            var out: [UInt8] = []
            IndexEntryJSON.integer(value, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(value))
        }
    }

    @Test("strings: quote, backslash and control characters escaped, the rest as UTF-8")
    func strings() {
        var out: [UInt8] = []
        JSONText.appendString("a\"b\\c\nd\u{1}é/", to: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""a\"b\\c\u000ad\u0001é/""#)
    }
}
