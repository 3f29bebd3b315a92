import ChoreoModel
import Testing

@Suite("Duration grammar")
struct DurationTextTests {
    @Test(
        "segments of a number and a unit add up",
        arguments: [
            ("250ms", Int64(250_000_000)), ("30s", 30_000_000_000), ("5m", 300_000_000_000), ("1h30m", 5_400_000_000_000),
            ("7d", 604_800_000_000_000), ("2w", 1_209_600_000_000_000), ("1w2d3h4m5s6ms", 788_645_006_000_000),
            ("1.5h", 5_400_000_000_000), ("0.25s", 250_000_000), ("0s", 0), ("  5M ", 300_000_000_000), ("1H30M", 5_400_000_000_000),
            ("0.000001ms", 1), ("007s", 7_000_000_000),
        ])
    func parses(text: String, nanoseconds: Int64) throws {
        #expect(try DurationText.nanoseconds(text) == nanoseconds)
        #expect(try DurationText.parse(text) == .nanoseconds(nanoseconds))
    }

    @Test(
        "a bare number takes the flag's old unit only when one is given",
        arguments: [
            ("300", DurationText.Unit.seconds, Int64(300_000_000_000)), ("0.5", .seconds, 500_000_000), ("200", .milliseconds, 200_000_000),
            ("2s", .milliseconds, 2_000_000_000),
        ])
    func bareNumbers(text: String, unit: DurationText.Unit, nanoseconds: Int64) throws {
        #expect(try DurationText.nanoseconds(text, bareNumbersIn: unit) == nanoseconds)
    }

    @Test("a bare number inside a longer text is still refused", arguments: ["300", "1h30", "30 5m"])
    func bareNumberWithoutUnit(text: String) {
        #expect(throws: DurationTextError.self) { try DurationText.nanoseconds(text) }
        #expect(throws: DurationTextError.self) { try DurationText.nanoseconds(text == "300" ? "300x" : text, bareNumbersIn: .seconds) }
    }

    @Test(
        "hostile text is refused with a reason, never a trap",
        arguments: [
            ("", "empty"), ("   ", "empty"), ("-5s", "negative"), ("-0s", "negative"), ("5", "needs a unit"), ("5x", "\"x\" is not a unit"),
            ("5sec", "\"sec\" is not a unit"), ("1y", "\"y\" is not a unit"), ("s", "expected a number"), ("1h 30m", "expected a number"),
            ("1.h", "decimal point"), (".5s", "expected a number"), ("+5s", "expected a number"), ("1e3s", "\"e\" is not a unit"),
            ("١٢d", "expected a number"), ("7ｄ", "needs a unit"), ("7d\u{0}", "expected a number"), ("NaNs", "expected a number"),
            ("9223372036854775808s", "292 years"), ("9223372036854775807ms", "292 years"), ("106752d", "292 years"),
            ("15251w", "292 years"), ("106751d106751d", "292 years"), (String(repeating: "9", count: 10_000) + "s", "longer than 64"),
        ])
    func refuses(text: String, reason: String) {
        let error = #expect(throws: DurationTextError.self) { try DurationText.nanoseconds(text, bareNumbersIn: nil) }
        #expect(error?.reason.contains(reason) == true, "\(error?.description ?? "no error")")
        #expect(error?.description.contains("e.g. 250ms") == true)
    }

    @Test("the longest duration is Int64.max nanoseconds")
    func longest() throws {
        #expect(try DurationText.nanoseconds("106751d23h47m16s854ms") == 9_223_372_036_854_000_000)
        #expect(try DurationText.parse(DurationText.format(nanoseconds: .max)) == .nanoseconds(Int64.max))
        #expect(throws: DurationTextError.self) { try DurationText.nanoseconds("106751d23h47m16s855ms") }
    }

    @Test(
        "formatting writes the largest units first and parses back exactly",
        arguments: [
            (Duration.zero, "0s"), (.milliseconds(250), "250ms"), (.seconds(5_400), "1h30m"), (.seconds(604_800), "1w"),
            (.nanoseconds(1_500_000), "1.5ms"), (.nanoseconds(1), "0.000001ms"), (.seconds(90_061), "1d1h1m1s"),
        ])
    func formats(duration: Duration, text: String) throws {
        #expect(DurationText.format(duration) == text)
        #expect(try DurationText.parse(text) == duration)
    }

    @Test("a Duration's nanoseconds are clamped to 0 ... Int64.max")
    func nanosecondsOfDuration() {
        #expect(DurationText.nanoseconds(of: .milliseconds(1_500)) == 1_500_000_000)
        #expect(DurationText.nanoseconds(of: .seconds(-1)) == 0)
        #expect(DurationText.nanoseconds(of: .seconds(Int64.max)) == .max)
        #expect(DurationText.format(.seconds(-90)) == "-1m30s")
    }
}
