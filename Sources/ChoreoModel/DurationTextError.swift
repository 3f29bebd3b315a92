/// Text that is not a duration in ``DurationText``'s grammar, and why.
public struct DurationTextError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text as given.
    public let text: String
    /// Why it is not a duration, e.g. `"x" is not a unit; use ms, s, m, h, d or w`.
    public let reason: String

    /// An error for `text`, with a reason a user can act on.
    public init(_ text: String, _ reason: String) {
        self.text = text
        self.reason = reason
    }

    /// A duration past `Int64.max` nanoseconds.
    static func tooLong(_ text: String) -> Self {
        Self(text, "it is longer than 106751d, about 292 years, the longest duration")
    }

    /// `"5x" is not a duration: … ; write e.g. 250ms, 30s, 5m, 1h30m, 7d or 2w`.
    public var description: String {
        "\"\(text)\" is not a duration: \(reason); write e.g. 250ms, 30s, 5m, 1h30m, 7d or 2w"
    }
}
