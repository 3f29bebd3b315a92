import ChoreoModel
import Testing

@Suite("RFC 3339 times")
struct UnixTimeTests {
    @Test(
        "formats known instants in UTC with milliseconds",
        arguments: [
            (UInt64(0), "1970-01-01T00:00:00.000Z"),
            (UInt64(1_000_000), "1970-01-01T00:00:00.001Z"),
            (UInt64(999_999_999), "1970-01-01T00:00:00.999Z"),
            (UInt64(951_782_400) * 1_000_000_000, "2000-02-29T00:00:00.000Z"),
            (UInt64(1_795_305_341_123_456_789), "2026-11-21T23:55:41.123Z"),
            (UInt64(4_102_444_799) * 1_000_000_000, "2099-12-31T23:59:59.000Z"),
        ])
    func formats(_ nanos: UInt64, _ text: String) {
        #expect(UnixTime.rfc3339(nanos) == text)
    }

    @Test("parses what it formats, to the millisecond")
    func roundTrip() throws {
        var nanos: UInt64 = 1_234_567_891
        for _ in 0..<300 {
            nanos = nanos &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let instant = nanos % 4_000_000_000_000_000_000
            let parsed = try #require(UnixTime.parseRFC3339(UnixTime.rfc3339(instant)))
            #expect(parsed == instant / 1_000_000 * 1_000_000)
        }
    }

    @Test(
        "parses offsets, fractions and the allowed separators",
        arguments: [
            ("1970-01-01T00:00:00Z", UInt64(0)),
            ("1970-01-01t00:00:00z", UInt64(0)),
            ("1970-01-01 00:00:00Z", UInt64(0)),
            ("1970-01-01T00:00:01.5Z", UInt64(1_500_000_000)),
            ("1970-01-01T00:00:00.123456789Z", UInt64(123_456_789)),
            ("1970-01-01T00:00:00.1234567891Z", UInt64(123_456_789)),  // beyond nanoseconds is truncated
            ("1970-01-01T01:00:00+01:00", UInt64(0)),
            ("1969-12-31T23:00:00-01:00", UInt64(0)),
            ("2026-11-22T05:25:41.123+05:30", UInt64(1_795_305_341_123_000_000)),
            ("2016-12-31T23:59:60Z", UInt64(1_483_228_800) * 1_000_000_000),  // leap second
        ])
    func parses(_ text: String, _ nanos: UInt64) {
        #expect(UnixTime.parseRFC3339(text) == nanos)
    }

    @Test(
        "rejects malformed times",
        arguments: [
            "", "2026-11-21", "2026-11-21T23:55:41", "2026-11-21T23:55:41.Z", "2026-13-01T00:00:00Z",
            "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
            "2026/01/01T00:00:00Z", "2026-01-01T00:00:00+0100", "2026-01-01T00:00:00Z ", "1969-12-31T23:59:59Z",
            "2026-01-01X00:00:00Z", "abcd-01-01T00:00:00Z", "2026-01-01T00:00:00+01:00:00",
        ])
    func rejects(_ text: String) {
        #expect(UnixTime.parseRFC3339(text) == nil)
    }

    @Test("now is a plausible wall-clock time in nanoseconds")
    func now() {
        let now = UnixTime.nowNanos()
        #expect(now > 1_577_836_800 * 1_000_000_000)  // after 2020
        #expect(now < 4_102_444_800 * 1_000_000_000)  // before 2100
    }
}

@Suite("RFC 3339 parsing of hostile input")
struct RFC3339HostileTests {
    @Test(
        "times past the largest Unix nanosecond count are too late, not a trap",
        arguments: [
            "2554-07-21T23:34:34Z", "2554-07-21T23:34:33.709551616Z", "2600-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
            "9999-12-31T23:59:60.999999999Z", "9999-12-31T00:00:00-23:59",
        ])
    func tooLate(_ text: String) {
        #expect(throws: TimeParseError(.tooLate, "the time is after 2554-07-21T23:34:33Z, the latest that Unix nanoseconds count to")) {
            try UnixTime.nanos(rfc3339: text)
        }
        #expect(UnixTime.parseRFC3339(text) == nil)
    }

    @Test("the last nanosecond that fits is parsed exactly")
    func lastNanosecond() {
        #expect(UnixTime.parseRFC3339("2554-07-21T23:34:33.709551615Z") == UInt64.max)
        #expect(UnixTime.parseRFC3339("2262-04-11T23:47:16.854775807Z") == UnixTime.latestNanos)
    }

    @Test(
        "offsets, months, days, hours and minutes out of range are rejected with the field named",
        arguments: [
            ("2026-01-01T00:00:00+99:99", "the offset +99:99 is out of range (hours 00-23, minutes 00-59)"),
            ("2026-01-01T00:00:00-24:00", "the offset -24:00 is out of range (hours 00-23, minutes 00-59)"),
            ("2026-01-01T00:00:00+23:60", "the offset +23:60 is out of range (hours 00-23, minutes 00-59)"),
            ("2026-02-29T00:00:00Z", "day 29 is out of range (1 to 28)"),
            ("2100-02-29T00:00:00Z", "day 29 is out of range (1 to 28)"),
            ("2026-04-31T00:00:00Z", "day 31 is out of range (1 to 30)"),
            ("2026-99-01T00:00:00Z", "month 99 is out of range (1 to 12)"),
            ("2026-01-01T99:00:00Z", "hour 99 is out of range (0 to 23)"),
            ("2026-01-01T00:99:00Z", "minute 99 is out of range (0 to 59)"),
            ("2026-01-01T00:00:99Z", "second 99 is out of range (0 to 60)"),
        ])
    func outOfRange(_ text: String, _ reason: String) {
        #expect(throws: TimeParseError(.outOfRange, reason)) { try UnixTime.nanos(rfc3339: text) }
    }

    @Test(
        "the widest valid offsets and leap days are accepted",
        arguments: [
            ("2026-01-01T23:59:00+23:59", UInt64(1_767_225_600) * 1_000_000_000),
            ("2025-12-31T00:01:00-23:59", UInt64(1_767_225_600) * 1_000_000_000),
            ("2024-02-29T00:00:00Z", UInt64(1_709_164_800) * 1_000_000_000),
            ("2000-02-29T00:00:00-00:00", UInt64(951_782_400) * 1_000_000_000),
        ])
    func widest(_ text: String, _ nanos: UInt64) {
        #expect(UnixTime.parseRFC3339(text) == nanos)
    }

    @Test(
        "times before 1970 are before the epoch",
        arguments: [
            "0000-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z", "1970-01-01T00:00:00+00:01",
        ])
    func beforeEpoch(_ text: String) {
        #expect(throws: TimeParseError(.beforeEpoch, "the time is before 1970-01-01T00:00:00Z")) { try UnixTime.nanos(rfc3339: text) }
    }

    @Test(
        "junk of every shape is malformed",
        arguments: [
            "", "Z", "2026", "２０２６-01-01T00:00:00Z", "2026-01-01T00:00:00\u{0}Z", "2026-01-01T00:00:00.\u{0}Z",
            "+2026-01-01T00:00:00Z", "-001-01-01T00:00:00Z", "2026-01-01T00:00:00+", "2026-01-01T00:00:00+1:00",
            "2026-01-01T00:00:00+01:0", "18446744073709551615", "2026-01-01T00:00:00%2B01:00", String(repeating: "9", count: 10_000),
        ])
    func malformed(_ text: String) {
        #expect(throws: TimeParseError(.malformed, "expected an RFC 3339 time such as 2026-11-21T10:00:00Z")) {
            try UnixTime.nanos(rfc3339: text)
        }
    }

    @Test("a fraction of thousands of digits is truncated to nanoseconds")
    func longFraction() {
        #expect(UnixTime.parseRFC3339("1970-01-01T00:00:01." + String(repeating: "9", count: 10_000) + "Z") == 1_999_999_999)
    }

    @Test("a store holds times up to 2262-04-11T23:47:16.854775807Z; later ones are refused, not wrapped")
    func storable() throws {
        #expect(try UnixTime.requireStorable(UnixTime.latestNanos) == UInt64(Int64.max))
        let error = #expect(throws: TimeParseError.self) { try UnixTime.requireStorable(UnixTime.latestNanos + 1) }
        #expect(error?.code == .tooLate)
        #expect(error?.reason.contains("2262") == true)
    }

    @Test("seeded random mutations of valid times never trap, and whatever parses formats back to the same millisecond")
    func mutations() throws {
        let seeds = ["2026-11-21T23:55:41.123Z", "2554-07-21T23:34:33.709551615+23:59", "9999-12-31T23:59:60-00:00", "0000-01-01T00:00:00Z"]
        let alphabet = Array("0123456789-+:.TZtz 9".utf8)
        var state: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var parsed = 0
        for _ in 0..<50_000 {
            var bytes = Array(seeds[next(seeds.count)].utf8)
            for _ in 0...next(3) where !bytes.isEmpty { bytes[next(bytes.count)] = alphabet[next(alphabet.count)] }
            guard let nanos = UnixTime.parseRFC3339(String(decoding: bytes, as: UTF8.self)) else { continue }
            parsed += 1
            #expect(UnixTime.parseRFC3339(UnixTime.rfc3339(nanos)) == nanos / 1_000_000 * 1_000_000)
        }
        #expect(parsed > 1_000, "the mutations must also produce valid times, or the property was never checked")
    }
}
