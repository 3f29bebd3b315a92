import ChoreoModel
import ChoreoCollector
import Testing

/// `--retention` values that overflow or are not numbers are refused (nil), never a trap.
@Suite("Retention durations from hostile text")
struct RetentionDurationHostileTests {
    @Test(
        "numbers past Int64, products that overflow and windows past ~285 years are refused",
        arguments: [
            "9223372036854775807s", "9223372036854775808s", "18446744073709551615w", "99999999999999999999d",
            "15250284452471w", "106751991167301d", "9000000001s", String(repeating: "9", count: 10_000) + "d",
        ])
    func overflow(text: String) {
        #expect(RetentionDuration.parse(text) == nil)
    }

    @Test(
        "junk of other shapes is refused",
        arguments: [
            "", " ", "s", "-0s", "0x10s", "١٢d", "7d\u{0}", "\u{0}7d", "7 d", "7dd", "7ｄ", "NaNd", "∞d", "1e3s",
        ])
    func junk(text: String) {
        #expect(RetentionDuration.parse(text) == nil)
    }

    @Test(
        "a refused window says why",
        arguments: [
            ("0d", "longer than zero"), ("9000000001s", "the longest window"), ("7x", "\"x\" is not a unit"), ("7", "needs a unit"),
        ])
    func reasons(text: String, reason: String) {
        let error = #expect(throws: DurationTextError.self) { try RetentionDuration.value(text) }
        #expect(error?.reason.contains(reason) == true, "\(error?.description ?? "")")
    }

    @Test("the longest window accepted is 9,000,000,000 seconds")
    func longest() {
        #expect(RetentionDuration.parse("9000000000s") == .window(.seconds(9_000_000_000)))
        #expect(RetentionDuration.parse("14880w") == .window(.seconds(14_880 * 604_800)))
    }
}
