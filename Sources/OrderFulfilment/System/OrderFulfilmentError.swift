/// An error of an order-fulfilment run: a stable code and a message that says what to do.
public struct OrderFulfilmentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// An argument is out of range.
        case invalidArgument = "invalid_argument"
        /// No order reached a final state within the time limit.
        case timedOut = "timed_out"
        /// The bus or the timers stopped before the orders ended.
        case busStopped = "bus_stopped"
        /// A bounded resource (the timers) is full.
        case overloaded
        /// A service ended by itself (its process crashed or exited) while the run needed it.
        case serviceFailed = "service_failed"
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
