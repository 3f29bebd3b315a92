import ChoreoModel

/// Parses the time arguments of `--since` and `--until` into Unix nanoseconds.
///
/// Accepts a relative duration counted back from `now` (``DurationText``'s grammar: `90s`, `30m`,
/// `1h`, `2d`, `1w`, or a sum such as `1h30m`) or an absolute RFC 3339 time (`2026-05-01T12:00:00Z`, any offset). Anything else
/// is a usage error (exit 2). Time is passed in, so parsing never reads the clock.
public enum DurationParser {
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
        if let length = try? UInt64(DurationText.nanoseconds(trimmed)) {
            guard length <= now else {
                throw .usage("invalid \(option) \"\(text)\": reaches back before 1970")
            }
            return now - length
        }
        do {
            return try UnixTime.requireStorable(try UnixTime.nanos(rfc3339: trimmed))
        } catch  where error.code == .malformed {
            throw .usage(
                "invalid \(option) \"\(text)\": expected a duration such as 30s, 15m, 1h, 2d (or 1h30m) "
                    + "or an RFC 3339 time such as 2026-05-01T12:00:00Z"
                    + Self.durationReason(trimmed)
            )
        } catch {
            throw .usage("invalid \(option) \"\(text)\": \(error.reason)")
        }
    }

    /// Why `text`, when it looks like a duration (it starts with a digit and has no `-` or `:`
    /// after it, as times do), is not one: `; as a duration, …`.
    private static func durationReason(_ text: String) -> String {
        guard text.first?.isASCII == true, text.first?.isNumber == true, !text.contains(":"), !text.dropFirst().contains("-") else { return "" }
        do {
            _ = try DurationText.nanoseconds(text)
            return ""
        } catch {
            return "; as a duration, \(error.reason)"
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
