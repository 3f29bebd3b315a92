/// An error of a message bus: a stable code and a message that says what to do.
public struct BusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, stable for programs to match on.
    public enum Code: String, Sendable, Hashable {
        /// ``InMemoryBus/run()`` was called while the bus was already running or after it stopped.
        case alreadyRunning = "already_running"
        /// A configuration value is out of range.
        case invalidConfiguration = "invalid_configuration"
        /// The bus's backing store (a database) failed or cannot be reached.
        case unavailable
        /// The bus is not running (``InMemoryBus/run()`` or its durable counterpart ended or never started).
        case notRunning = "not_running"
    }

    /// The error's code.
    public var code: Code
    /// A human-readable explanation with the action to take.
    public var message: String

    /// Creates an error with a code and an actionable message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
