import Foundation

/// The text form of `--retention` and `--retention-interval`: a whole number and a unit.
///
/// Units: `s` seconds, `m` minutes, `h` hours, `d` days, `w` weeks (`7d`, `12h`, `30m`).
/// `forever` (retention only) keeps spans forever, as does leaving the flag out.
public enum RetentionDuration {
    /// What a `--retention` value says.
    public enum Value: Sendable, Hashable {
        /// Never delete.
        case forever
        /// Delete spans older than this.
        case window(Duration)
    }

    /// Parses `7d`, `12h`, `30m`, `45s`, `2w` or `forever`; nil for anything else, zero included.
    public static func parse(_ text: String) -> Value? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "forever" { return .forever }
        guard let unit = trimmed.last, let seconds = unitSeconds[unit],
              let count = Int64(trimmed.dropLast()), count > 0
        else { return nil }
        let total = count.multipliedReportingOverflow(by: seconds)
        // Beyond ~290 years nanosecond cut-offs overflow; nobody means that.
        guard !total.overflow, total.partialValue <= 9_000_000_000 else { return nil }
        return .window(.seconds(total.partialValue))
    }

    /// A duration written back in the largest unit that divides it (`7d`, `90m`).
    public static func format(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        for (unit, size) in [("w", Int64(604_800)), ("d", 86_400), ("h", 3_600), ("m", 60)] where seconds % size == 0 && seconds > 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }

    private static let unitSeconds: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
}
