/// What stands out in a flow beyond its status: the facts an operator looks for first.
public struct FlowFindings: Hashable, Sendable {
    /// Message ids published that no consumer received (and that are not of a terminal type).
    public var unconsumed: [String]
    /// Message ids some consumer dead-lettered.
    public var deadLettered: [String]
    /// Deliveries ignored as duplicates (at-least-once redelivery of a handled message).
    public var duplicatesIgnored: Int
    /// Causation ids naming messages whose spans never arrived (``Flow/gaps`` counts them).
    public var gapIDs: [String]
    /// Message ids whose handling published other steps but whose handled delivery span never
    /// arrived: the other kind of gap (``Flow/gaps`` counts them too).
    public var unseenDeliveries: [String]
    /// Message ids of a stuck flow whose latest attempt announced a retry that never arrived
    /// within the stuck limit: the retry's span was lost, or the bus never redelivered.
    /// ``Flow/gaps`` counts them too.
    public var unseenRetries: [String]
    /// Forward steps of a compensable type that no compensation undid, reported when the flow
    /// failed or compensated (a saga that unwound only part of the way).
    public var uncompensated: [String]
    /// Deviations from the flow definition; empty without one.
    public var deviations: [FlowDeviation]

    /// Creates findings; everything empty by default.
    public init(
        unconsumed: [String] = [], deadLettered: [String] = [], duplicatesIgnored: Int = 0, gapIDs: [String] = [],
        unseenDeliveries: [String] = [], unseenRetries: [String] = [], uncompensated: [String] = [], deviations: [FlowDeviation] = []
    ) {
        self.unconsumed = unconsumed
        self.deadLettered = deadLettered
        self.duplicatesIgnored = duplicatesIgnored
        self.gapIDs = gapIDs
        self.unseenDeliveries = unseenDeliveries
        self.unseenRetries = unseenRetries
        self.uncompensated = uncompensated
        self.deviations = deviations
    }
}

/// One way a flow departs from its flow definition.
public struct FlowDeviation: Hashable, Sendable, Codable {
    /// The kind of deviation.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// A message type the definition does not know.
        case unexpectedType = "unexpected_type"
        /// An expected step never happened (skipped between two steps, or missing at the end).
        case missingStep = "missing_step"
        /// Known types in an order the definition does not allow.
        case wrongOrder = "wrong_order"
        /// A transition took longer than the definition's time limit.
        case slowTransition = "slow_transition"
    }

    /// What kind of deviation.
    public var kind: Kind
    /// The message type concerned (the unexpected, missing or misplaced one).
    public var type: String
    /// The message id concerned, when there is one (not for a missing step).
    public var messageID: String?
    /// One sentence for people.
    public var detail: String

    enum CodingKeys: String, CodingKey {
        case kind, type, detail
        case messageID = "message_id"
    }

    /// Creates a deviation.
    public init(kind: Kind, type: String, messageID: String? = nil, detail: String) {
        self.kind = kind
        self.type = type
        self.messageID = messageID
        self.detail = detail
    }
}
