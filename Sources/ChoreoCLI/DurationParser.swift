import ChoreoModel

/// Parses the time arguments of `--since` and `--until` into Unix nanoseconds.
///
/// Accepts a relative duration counted back from `now` (`90s`, `30m`, `1h`, `2d`, or a sum such
/// as `1h30m`) or an absolute RFC 3339 time (`2026-05-01T12:00:00Z`, any offset). Anything else
/// is a usage error (exit 2). Time is passed in, so parsing never reads the clock.
public enum DurationParser {
    /// The length of a relative duration such as `1h30m`, in nanoseconds; nil when not one.
    public static func duration(_ text: String) -> UInt64? {
        let units: [Character: UInt64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var total: UInt64 = 0
        var digits = ""
        var sawSegment = false
        for ch in text {
            if ch.isASCII, ch.isNumber {
                digits.append(ch)
            } else if let unit = units[ch], !digits.isEmpty, let value = UInt64(digits) {
                let (seconds, o1) = value.multipliedReportingOverflow(by: unit)
                let (nanos, o2) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
                let (sum, o3) = total.addingReportingOverflow(nanos)
                guard !o1, !o2, !o3 else { return nil }
                total = sum
                digits = ""
                sawSegment = true
            } else {
                return nil
            }
        }
        guard sawSegment, digits.isEmpty else { return nil }
        return total
    }

    /// The instant `text` names: `now` minus a relative duration, or an absolute RFC 3339 time.
    ///
    /// - Parameters:
    ///   - text: the argument as given, e.g. `1h` or `2026-05-01T12:00:00Z`.
    ///   - option: the option's name for the error message, e.g. `--since`.
    ///   - now: the current time in Unix nanoseconds.
    /// - Throws: ``CLIError`` with code `usage` when `text` is neither form, reaches before
    ///   1970, has a field out of range (e.g. an offset `+99:99`) or lies after 2262 (the latest
    ///   time a span store holds, ``UnixTime/latestNanos``).
    public static func instant(_ text: String, option: String, now: UInt64) throws(CLIError) -> UInt64 {
        let trimmed = text.trimmingSpaces
        if let length = duration(trimmed) {
            guard length <= now else {
                throw .usage("invalid \(option) \"\(text)\": reaches back before 1970")
            }
            return now - length
        }
        do {
            return try UnixTime.requireStorable(try UnixTime.nanos(rfc3339: trimmed))
        } catch where error.code == .malformed {
            throw .usage(
                "invalid \(option) \"\(text)\": expected a duration such as 30s, 15m, 1h, 2d (or 1h30m) "
                    + "or an RFC 3339 time such as 2026-05-01T12:00:00Z"
            )
        } catch {
            throw .usage("invalid \(option) \"\(text)\": \(error.reason)")
        }
    }
}

extension String {
    /// The string without leading or trailing spaces.
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
