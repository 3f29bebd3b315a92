import ChoreoModel

/// How a step is known to be a compensation.
public enum CompensationSource: String, Codable, Hashable, Sendable {
    /// The publisher marked the message (`compensates` header, `choreo.compensates` attribute).
    case marked
    /// A flow definition declares its type a compensation of another type.
    case declared
}

extension FlowStep {
    /// True for a compensating step, marked or declared.
    public var isCompensation: Bool { compensation != nil }
}

/// One delivery attempt of a message to one consumer group.
public struct FlowAttempt: Hashable, Sendable {
    /// The 1-based attempt number (0 when the span did not say).
    public var attempt: Int
    /// When the attempt started processing.
    public var startedAtUnixNano: UInt64
    /// When the attempt ended.
    public var endedAtUnixNano: UInt64
    /// What the attempt came to.
    public var outcome: DeliveryOutcome
    /// The error of a failed attempt.
    public var error: String?

    /// Creates an attempt record.
    public init(attempt: Int, startedAtUnixNano: UInt64, endedAtUnixNano: UInt64, outcome: DeliveryOutcome, error: String? = nil) {
        self.attempt = attempt
        self.startedAtUnixNano = startedAtUnixNano
        self.endedAtUnixNano = endedAtUnixNano
        self.outcome = outcome
        self.error = error
    }
}
