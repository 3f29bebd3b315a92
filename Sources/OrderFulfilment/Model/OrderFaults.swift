/// One delivery of the choreography: a message type consumed by a service.
public struct FaultTarget: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The consuming service (its consumer group).
    public var service: String
    /// The consumed message type.
    public var type: OrderMessageType

    /// Creates a target.
    public init(service: String, type: OrderMessageType) {
        self.service = service
        self.type = type
    }

    public var description: String { "\(type.rawValue)@\(service)" }
}

/// The technical faults injected into one order, drawn at checkout (``OrderPlan``) and
/// carried in its body, so the consuming service injects them deterministically.
public struct OrderFaults: Sendable, Hashable, Codable {
    /// A delivery whose handler fails ``transientFailures`` times, then succeeds (retries with backoff).
    public var transient: FaultTarget?
    /// How many attempts of the ``transient`` delivery fail (1 or 2 by default; below the bus's maximum).
    public var transientFailures: Int
    /// A delivery whose handler fails every attempt: the message is dead-lettered, the flow fails.
    public var poison: FaultTarget?
    /// A delivery the bus makes twice (a lost acknowledgement); the idempotent consumer ignores the copy.
    public var duplicate: FaultTarget?

    /// Creates faults; the default is none.
    public init(transient: FaultTarget? = nil, transientFailures: Int = 1, poison: FaultTarget? = nil, duplicate: FaultTarget? = nil) {
        self.transient = transient
        self.transientFailures = transientFailures
        self.poison = poison
        self.duplicate = duplicate
    }

    /// True when no fault is injected.
    public var isEmpty: Bool { transient == nil && poison == nil && duplicate == nil }

    enum CodingKeys: String, CodingKey {
        case transient
        case transientFailures = "transient_failures"
        case poison, duplicate
    }
}
