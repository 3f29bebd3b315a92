import ChoreoModel
import Testing

@testable import ChoreoCLI

@Suite("DurationParser")
struct DurationParserTests {
    let now = Fixtures.t0

    @Test(
        "relative durations count back from now",
        arguments: [
            ("30s", UInt64(30)), ("15m", 900), ("1h", 3600), ("2d", 172_800), ("1h30m", 5400), ("0s", 0), (" 5m ", 300), ("1.5h", 5400), ("1w", 604_800),
        ])
    func relative(text: String, seconds: UInt64) throws {
        let instant = try DurationParser.instant(text, option: "--since", now: now)
        #expect(instant == now - seconds * 1_000_000_000)
    }

    @Test(
        "RFC 3339 times are absolute, whatever now is",
        arguments: [
            "2026-04-30T08:15:00Z", "2026-04-30T10:15:00+02:00", "2026-04-30T08:15:00.000Z",
        ])
    func absolute(text: String) throws {
        let expected = UnixTime.parseRFC3339("2026-04-30T08:15:00Z")!
        #expect(try DurationParser.instant(text, option: "--since", now: now) == expected)
        #expect(try DurationParser.instant(text, option: "--since", now: now + 999) == expected)
    }

    @Test(
        "anything else is a usage error naming the option and value",
        arguments: [
            "", "h", "1", "5x", "1.h", "-1h", "1h 30m", "yesterday", "2026-13-01T00:00:00Z", "2026-05-01",
            "99999999999999999999d",
        ])
    func invalid(text: String) {
        let error = #expect(throws: CLIError.self) {
            try DurationParser.instant(text, option: "--until", now: now)
        }
        #expect(error?.code == .usage)
        #expect(error?.exitCode == 2)
        #expect(error?.message.contains("--until") == true)
        #expect(error?.message.contains("\"\(text)\"") == true)
    }

    @Test(
        "text that looks like a duration is refused with the grammar's reason",
        arguments: [
            ("5x", "\"x\" is not a unit"), ("90", "needs a unit"), ("99999999999999999999d", "292 years"),
        ])
    func durationReason(text: String, reason: String) {
        let error = #expect(throws: CLIError.self) { try DurationParser.instant(text, option: "--since", now: now) }
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
    }

    @Test("a duration reaching before 1970 is rejected, not wrapped around")
    func beforeEpoch() {
        #expect(throws: CLIError.self) {
            try DurationParser.instant("1d", option: "--since", now: 1_000)
        }
    }
}

@Suite("DurationFormat")
struct DurationFormatTests {
    @Test(
        "durations render in the largest fitting unit, truncated",
        arguments: [
            (UInt64(0), "0ms"), (850_000, "850µs"), (12_345_678, "12.3ms"), (1_234_567_890, "1.234s"),
            (123_000_000_000, "2m03s"), (3_720_000_000_000, "1h02m"),
        ])
    func format(nanos: UInt64, text: String) {
        #expect(DurationFormat.string(nanos) == text)
    }

    @Test("a clock running backwards gives zero, not a crash")
    func backwards() {
        #expect(DurationFormat.between(10, 5) == "0ms")
    }
}
