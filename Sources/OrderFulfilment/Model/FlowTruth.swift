import ChoreoModel

/// The ground truth of one flow (order), recorded by the services: what Choreoscope's
/// reconstruction from spans must reproduce.
///
/// JSON: `{"status": "completed", "outcome": "OrderCompleted", "types": ["OrderPlaced", ...]}`,
/// plus `"waiting_for": "ShipGoods"` on a stuck flow. ``steps`` are not encoded.
///
/// Status, as docs/wire-conventions.md ("Flow status") and the flow reconstruction define it:
/// - `stuck`: a message of the flow was published to a topic nobody consumes (a missing
///   subscriber); ``waitingFor`` is its type, the outcome is nil;
/// - `compensated`: a compensating message was published (a refund, a released reservation);
/// - `failed`: a delivery failed for good (dead-lettered) and nothing was compensated; no outcome;
/// - `completed`: the terminal message was handled; the outcome is its type (`OrderCompleted`,
///   or `OrderCancelled` for a card declined for good);
/// - `in_flight`: none of these yet.
public struct FlowTruth: Sendable, Hashable, Codable {
    /// The flow's status.
    public var status: FlowStatus
    /// The terminal message type (`OrderCompleted`, `OrderCancelled`), once the flow ended.
    public var outcome: String?
    /// The published message types in publish order.
    public var types: [String]
    /// For a stuck flow: the type of the first message nobody consumes.
    public var waitingFor: String?
    /// The published messages in publish order, with ids and causation.
    public var steps: [FlowStep]

    /// Creates a flow truth.
    public init(status: FlowStatus, outcome: String?, types: [String], waitingFor: String? = nil, steps: [FlowStep] = []) {
        self.status = status
        self.outcome = outcome
        self.types = types
        self.waitingFor = waitingFor
        self.steps = steps
    }

    enum CodingKeys: String, CodingKey {
        case status, outcome, types
        case waitingFor = "waiting_for"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            status: try container.decode(FlowStatus.self, forKey: .status),
            outcome: try container.decodeIfPresent(String.self, forKey: .outcome),
            types: try container.decode([String].self, forKey: .types),
            waitingFor: try container.decodeIfPresent(String.self, forKey: .waitingFor)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(types, forKey: .types)
        try container.encodeIfPresent(waitingFor, forKey: .waitingFor)
    }
}
