/// An error of an order-fulfilment run: a stable code and a message that says what to do.
public struct OrderFulfilmentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// An argument is out of range.
        case invalidArgument = "invalid_argument"
        /// Orders did not all end within the time limit.
        case timedOut = "timed_out"
        /// The bus stopped before the orders ended.
        case busStopped = "bus_stopped"
    }

    /// The error's code.
    public var code: Code
    /// A human-readable explanation with the action to take.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
