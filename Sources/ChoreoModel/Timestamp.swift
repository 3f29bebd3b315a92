#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time helpers in Unix nanoseconds, the unit OTLP uses.
public enum UnixTime {
    /// Now, in nanoseconds since the Unix epoch.
    public static func nowNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// RFC 3339 in UTC with millisecond precision, e.g. `2026-11-21T23:55:41.123Z`.
    public static func rfc3339(_ nanos: UInt64) -> String {
        var seconds = time_t(nanos / 1_000_000_000)
        let millis = Int(nanos / 1_000_000 % 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let ms = String(millis)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + String(repeating: "0", count: 3 - ms.count) + ms + "Z"
    }

    /// Parses RFC 3339 (`Z` or `±hh:mm` offset, optional fraction) into Unix nanoseconds.
    public static func parseRFC3339(_ text: String) -> UInt64? {
        let u = Array(text.utf8)
        guard u.count >= 20 else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= u.count else { return nil }
            var v = 0
            for c in u[r] {
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let year = num(0..<4), u[4] == 45, let month = num(5..<7), u[7] == 45, let day = num(8..<10),
              u[10] == 84 || u[10] == 116 || u[10] == 32,
              let hour = num(11..<13), u[13] == 58, let minute = num(14..<16), u[16] == 58, let second = num(17..<19)
        else { return nil }
        var i = 19
        var fraction: UInt64 = 0
        if i < u.count, u[i] == 46 {
            i += 1
            var digits = 0
            while i < u.count, u[i] >= 48, u[i] <= 57 {
                if digits < 9 { fraction = fraction * 10 + UInt64(u[i] - 48); digits += 1 }
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { fraction *= 10 }
        }
        guard i < u.count else { return nil }
        var offset = 0
        if u[i] == 90 || u[i] == 122 {
            i += 1
        } else if u[i] == 43 || u[i] == 45, let oh = num(i + 1..<i + 3), i + 3 < u.count, u[i + 3] == 58, let om = num(i + 4..<i + 6) {
            offset = (oh * 60 + om) * 60 * (u[i] == 43 ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == u.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let secs = days * 86400 + hour * 3600 + minute * 60 + second - offset
        guard secs >= 0 else { return nil }
        return UInt64(secs) * 1_000_000_000 + fraction
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
