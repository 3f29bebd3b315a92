/// A failure the system injects on purpose (``OrderFaults``): a stable code and a message.
public struct InjectedFault: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which fault.
    public enum Code: String, Sendable, Hashable {
        /// Fails this attempt; a later one succeeds.
        case transient
        /// Fails every attempt; the message ends dead-lettered.
        case poison
    }

    /// The fault's code.
    public var code: Code
    /// Where and why it was injected.
    public var message: String

    /// Creates a fault.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// Throws the fault `faults` inject into attempt `attempt` of `type` at `service`, if any.
    static func check(_ faults: OrderFaults, service: String, type: OrderMessageType, attempt: Int) throws {
        let here = FaultTarget(service: service, type: type)
        if faults.poison == here {
            throw InjectedFault(.poison, "\(here) fails on every attempt (injected poison message)")
        }
        if faults.transient == here, attempt <= faults.transientFailures {
            throw InjectedFault(
                .transient, "\(here) fails on attempt \(attempt) of \(faults.transientFailures) (injected transient failure)"
            )
        }
    }
}
