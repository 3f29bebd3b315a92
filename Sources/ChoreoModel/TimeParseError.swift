/// Why a text is not a usable time: malformed, a field out of range, or an instant that cannot
/// be held as Unix nanoseconds.
///
/// ``reason`` is a phrase a user can act on, e.g. `the offset +99:99 is out of range (hours
/// 00-23, minutes 00-59)`; callers add which parameter or option it was.
public struct TimeParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// Not the shape of an RFC 3339 time (or of a number, where one is allowed).
        case malformed
        /// A month, day, hour, minute, second or offset outside its range.
        case outOfRange = "out_of_range"
        /// Before 1970-01-01T00:00:00Z: Unix nanoseconds are never negative.
        case beforeEpoch = "before_epoch"
        /// After the latest instant the caller can hold (see ``UnixTime/latestNanos``).
        case tooLate = "too_late"
    }

    /// The kind of failure.
    public var code: Code
    /// What is wrong, as a phrase without the offending text.
    public var reason: String

    /// Creates an error with a code and a reason.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// The reason.
    public var description: String { reason }
}
