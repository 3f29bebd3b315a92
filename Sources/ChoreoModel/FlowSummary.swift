/// The status of a flow (a business transaction), as docs/wire-conventions.md ("Flow status") defines it.
public enum FlowStatus: String, Codable, Hashable, Sendable, CaseIterable {
    /// Reached a terminal message, or went quiet with every message handled; nothing failed or compensated.
    case completed
    /// Compensating messages ran and the flow ended.
    case compensated
    /// A technical failure (retries exhausted, dead-lettered) that was not compensated.
    case failed
    /// Messages still pending, within the time limit.
    case inFlight = "in_flight"
    /// Not terminal and no progress for longer than the time limit.
    case stuck
}

/// The indexed summary of one flow: what `choreo flows list` shows.
public struct FlowSummary: Hashable, Sendable {
    public var correlationID: String
    public var status: FlowStatus
    /// The terminal message type (business result), if the flow reached one.
    public var outcome: String?
    public var startedAtUnixNano: UInt64
    public var lastActivityAtUnixNano: UInt64
    public var stepCount: Int
    public var compensationCount: Int
    public var errorCount: Int
    /// The message type a stuck or in-flight flow waits for.
    public var waitingFor: String?
    /// Services that took part (publishers and consumers).
    public var services: [String]
    /// Message types seen.
    public var types: [String]

    public init(
        correlationID: String, status: FlowStatus, outcome: String?, startedAtUnixNano: UInt64,
        lastActivityAtUnixNano: UInt64, stepCount: Int, compensationCount: Int, errorCount: Int,
        waitingFor: String? = nil, services: [String] = [], types: [String] = []
    ) {
        self.correlationID = correlationID
        self.status = status
        self.outcome = outcome
        self.startedAtUnixNano = startedAtUnixNano
        self.lastActivityAtUnixNano = lastActivityAtUnixNano
        self.stepCount = stepCount
        self.compensationCount = compensationCount
        self.errorCount = errorCount
        self.waitingFor = waitingFor
        self.services = services
        self.types = types
    }
}
