import Foundation
import Testing

@testable import ChoreoStore

/// The JSON arrays the flow index stores its services and types in are written by hand (the
/// ingest path); they must read back exactly, with any JSON reader.
@Suite("StringList")
struct StringListTests {
    static let hostile: [[String]] = [
        [],
        [""],
        ["checkout", "payment"],
        ["quote \" backslash \\ slash /", "tab\tnewline\nreturn\r", "\u{0}\u{1}\u{1F}\u{7F}"],
        ["ünïcode ✓", "😀 emoji", "\u{2028}\u{2029}", "日本語"],
        [String(repeating: "x", count: 10_000)],
    ]

    @Test("every list reads back equal, through JSONSerialization as json_each would parse it", arguments: hostile)
    func roundTrips(_ list: [String]) throws {
        let text = StringList.encode(list)
        #expect(try StringList.decode(text) == list)
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]
        #expect(parsed == list)
    }

    @Test("control characters are escaped: the stored text is one line of valid JSON")
    func controlCharactersEscaped() {
        let text = StringList.encode(["a\nb\u{1}"])
        #expect(text == #"["a\u000ab\u0001"]"#)
    }
}
