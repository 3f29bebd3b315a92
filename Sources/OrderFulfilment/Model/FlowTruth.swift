import ChoreoModel

/// The ground truth of one flow (order), recorded by the services: what Choreoscope's
/// reconstruction from spans must reproduce.
///
/// JSON: `{"status": "completed", "outcome": "OrderCompleted", "types": ["OrderPlaced", ...]}`.
/// ``steps`` are not encoded.
public struct FlowTruth: Sendable, Hashable, Codable {
    /// `completed` or `compensated` once the flow ended; `in_flight` before.
    public var status: FlowStatus
    /// The terminal message type (`OrderCompleted`, `OrderCancelled`), once the flow ended.
    public var outcome: String?
    /// The published message types in publish order.
    public var types: [String]
    /// The published messages in publish order, with ids and causation.
    public var steps: [FlowStep]

    /// Creates a flow truth.
    public init(status: FlowStatus, outcome: String?, types: [String], steps: [FlowStep] = []) {
        self.status = status
        self.outcome = outcome
        self.types = types
        self.steps = steps
    }

    enum CodingKeys: String, CodingKey {
        case status, outcome, types
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            status: try container.decode(FlowStatus.self, forKey: .status),
            outcome: try container.decodeIfPresent(String.self, forKey: .outcome),
            types: try container.decode([String].self, forKey: .types)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(outcome, forKey: .outcome)
        try container.encode(types, forKey: .types)
    }
}
