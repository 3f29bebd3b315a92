/// An expected failure of a `choreo` command: a code, a message for the user, an exit status.
///
/// Commands throw this for every failure they anticipate; the entry point prints ``message``
/// on stderr (never a stack trace) and exits with ``exitCode``.
public struct CLIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, which decides the exit status.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A lookup by id found nothing (exit 1).
        case notFound = "not_found"
        /// The command line was invalid: a bad duration, trace id, status or URL (exit 2).
        case usage
        /// The collector could not be reached (exit 3).
        case unreachable
        /// The collector answered with an unexpected status or a body that breaks the contract (exit 3).
        case unexpectedResponse = "unexpected_response"
    }

    /// What went wrong.
    public var code: Code
    /// A one-line message the user can act on.
    public var message: String

    /// Creates an error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The process exit status for this error: 1 not found, 2 usage, 3 collector trouble.
    public var exitCode: Int32 {
        switch code {
        case .notFound: return 1
        case .usage: return 2
        case .unreachable, .unexpectedResponse: return 3
        }
    }

    /// The message.
    public var description: String { message }
}

extension CLIError {
    /// A usage error (exit 2).
    public static func usage(_ message: String) -> CLIError { CLIError(.usage, message) }

    /// A lookup by id that found nothing (exit 1).
    public static func notFound(_ message: String) -> CLIError { CLIError(.notFound, message) }
}
