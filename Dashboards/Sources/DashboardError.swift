/// A failure to load the dashboard's assets.
public struct DashboardError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for programs.
    public enum Code: String, Sendable {
        /// The asset directory exists but cannot be listed or read.
        case assetsUnreadable = "assets_unreadable"
    }

    /// The kind of failure.
    public var code: Code
    /// What to do about it, for people.
    public var message: String

    /// An error of `code` with a message saying what to do.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
