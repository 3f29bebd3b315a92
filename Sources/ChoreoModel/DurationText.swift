/// The one duration grammar of every flag, query parameter and file: one or more segments of a
/// number and a unit, such as `250ms`, `30s`, `5m`, `1h30m`, `1.5h`, `7d` or `2w`.
///
/// Units: `ms`, `s`, `m`, `h`, `d` (24 h), `w` (7 d), in any letter case. A number is ASCII
/// digits with an optional decimal fraction (`0.25s`). Spaces around the text are ignored;
/// nothing else is. Parsing is total: every input either gives a duration of at most
/// `Int64.max` nanoseconds (about 292 years) or throws a ``DurationTextError`` saying why
/// (empty, negative, unknown unit, a number without a unit, too long) — it never traps.
public enum DurationText {
    /// A unit of the grammar.
    public enum Unit: String, CaseIterable, Sendable {
        case milliseconds = "ms", seconds = "s", minutes = "m", hours = "h", days = "d", weeks = "w"

        /// Nanoseconds in one of this unit.
        public var nanoseconds: Int64 {
            switch self {
            case .milliseconds: 1_000_000
            case .seconds: 1_000_000_000
            case .minutes: 60_000_000_000
            case .hours: 3_600_000_000_000
            case .days: 86_400_000_000_000
            case .weeks: 604_800_000_000_000
            }
        }
    }

    /// The longest text read; anything longer is refused before it is scanned.
    public static let maxLength = 64

    /// The duration `text` names.
    ///
    /// - Parameter bareNumbersIn: the unit of a bare number such as `300` (for flags that took
    ///   one before they took units); nil refuses a bare number.
    public static func parse(_ text: String, bareNumbersIn bareUnit: Unit? = nil) throws(DurationTextError) -> Duration {
        .nanoseconds(try nanoseconds(text, bareNumbersIn: bareUnit))
    }

    /// The length `text` names in nanoseconds, from 0 to `Int64.max`.
    public static func nanoseconds(_ text: String, bareNumbersIn bareUnit: Unit? = nil) throws(DurationTextError) -> Int64 {
        var scanner = DurationScanner(text: text)
        guard !scanner.isAtEnd else { throw DurationTextError(text, "it is empty") }
        guard scanner.utf8Count <= maxLength else { throw DurationTextError(text, "it is longer than \(maxLength) characters") }
        if scanner.peek == UInt8(ascii: "-") { throw DurationTextError(text, "it is negative") }
        var total: Int64 = 0
        while !scanner.isAtEnd {
            let segment = try scanner.segment(bareUnit: bareUnit)
            let (sum, overflow) = total.addingReportingOverflow(segment)
            guard !overflow else { throw DurationTextError.tooLong(text) }
            total = sum
        }
        return total
    }
}
