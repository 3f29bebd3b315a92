import ChoreoModel
import Testing

@Suite("RFC 3339 times")
struct UnixTimeTests {
    @Test("formats known instants in UTC with milliseconds", arguments: [
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

    @Test("parses offsets, fractions and the allowed separators", arguments: [
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

    @Test("rejects malformed times", arguments: [
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
