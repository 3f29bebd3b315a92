/// One flow's published messages in step order: what process discovery reads (the process map,
/// the variants, the XES export) and what the flow index keeps for it.
///
/// The order is the flows' step order: publish time, then message id. The process map, the
/// variants and the XES export all read steps in this order, so the map's directly-follows
/// edges equal the ones any process-mining tool discovers from the exported XES. The collector
/// writes a trail with each flow's summary, so discovery over thousands of flows reads the
/// index instead of rebuilding every flow from its spans.
public struct FlowTrail: Hashable, Sendable {
    /// One published message.
    public struct Step: Hashable, Sendable {
        /// The message type (the activity).
        public var type: String
        /// The publishing service (the resource).
        public var service: String
        /// When the message was published (Unix nanoseconds).
        public var publishedAtUnixNano: UInt64

        /// Creates a step.
        public init(type: String, service: String, publishedAtUnixNano: UInt64) {
            self.type = type
            self.service = service
            self.publishedAtUnixNano = publishedAtUnixNano
        }
    }

    /// The flow's correlation id (the case).
    public var correlationID: String
    /// The steps in step order (publish time, then message id).
    public var steps: [Step]

    /// Creates a trail; `steps` must already be in step order.
    public init(correlationID: String, steps: [Step]) {
        self.correlationID = correlationID
        self.steps = steps
    }

    /// The message types in order: the flow's variant.
    public var types: [String] { steps.map(\.type) }
}
