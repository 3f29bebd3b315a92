/// A message the NATS bus cannot carry: a stable code and a message that says what to change.
/// (Connection and server failures are ``ChoreoInstrumentation/BusError`` `unavailable`.)
public struct NATSBusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the message.
    public enum Code: String, Sendable, Hashable {
        /// The topic cannot be a NATS subject.
        case invalidTopic = "invalid_topic"
        /// A header name or value cannot travel as a NATS header, or the name is reserved.
        case invalidHeader = "invalid_header"
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
