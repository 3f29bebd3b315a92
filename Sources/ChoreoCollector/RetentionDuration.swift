import ChoreoModel

/// The text form of `--retention` and `--retention-interval`: a positive duration in
/// ``DurationText``'s grammar (`7d`, `12h`, `30m`, `1h30m`, `2w`), or `forever` (retention only,
/// the default) to keep spans forever.
public enum RetentionDuration {
    /// What a `--retention` value says.
    public enum Value: Sendable, Hashable {
        /// Never delete.
        case forever
        /// Delete spans older than this.
        case window(Duration)
    }

    /// The longest window: beyond ~290 years nanosecond cut-offs overflow; nobody means that.
    public static let longest = Duration.seconds(9_000_000_000)

    /// Parses `7d`, `12h`, `30m`, `1h30m`, `2w` or `forever`; nil for anything else, zero included.
    public static func parse(_ text: String) -> Value? {
        try? value(text)
    }

    /// The value `text` names, or a ``DurationTextError`` saying why it names none.
    public static func value(_ text: String) throws(DurationTextError) -> Value {
        if text.trimmingSpaces.lowercased() == "forever" { return .forever }
        let window = try DurationText.parse(text)
        guard window > .zero else { throw DurationTextError(text, "a window must be longer than zero") }
        guard window <= longest else { throw DurationTextError(text, "it is longer than \(format(longest)), the longest window") }
        return .window(window)
    }

    /// A duration written back in the grammar, largest unit first (`1w`, `1h30m`).
    public static func format(_ duration: Duration) -> String {
        DurationText.format(duration)
    }
}

extension String {
    /// The string without leading or trailing spaces and tabs.
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
