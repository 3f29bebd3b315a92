import ChoreoModel

/// One flow's published messages in step order, as the flow index keeps them for discovery.
///
/// The collector writes it with the flow's summary (``SpanStore/upsertFlows(_:clearing:)``), so
/// the process map, the variants and the XES export of thousands of flows read the index instead
/// of rebuilding every flow from its spans.
public struct FlowTrail: Hashable, Sendable {
    /// One published message.
    public struct Step: Hashable, Sendable {
        /// The message type.
        public var type: String
        /// The publishing service.
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

    /// The flow.
    public var correlationID: String
    /// The steps in the flow's step order (publish time, then message id).
    public var steps: [Step]

    /// Creates a trail.
    public init(correlationID: String, steps: [Step]) {
        self.correlationID = correlationID
        self.steps = steps
    }
}

/// A flow's index entry: its summary and its trail.
public struct IndexedFlow: Hashable, Sendable {
    /// What `flows list` shows.
    public var summary: FlowSummary
    /// What discovery reads.
    public var trail: [FlowTrail.Step]
    /// When the flow must be judged again though no span arrives (an in-flight flow may turn
    /// stuck then; Unix nanoseconds); nil when only new spans can change it.
    public var dueAtUnixNano: UInt64?

    /// Creates an entry.
    public init(summary: FlowSummary, trail: [FlowTrail.Step], dueAtUnixNano: UInt64? = nil) {
        self.summary = summary
        self.trail = trail
        self.dueAtUnixNano = dueAtUnixNano
    }
}

extension FlowTrail.Step {
    /// The binary form kept in the index: a count, then type, service and time per step.
    static func encode(_ steps: [FlowTrail.Step]) -> [UInt8] {
        var writer = ByteWriter(capacity: steps.count * 40 + 4)
        writer.varint(steps.count)
        for step in steps {
            writer.string(step.type)
            writer.string(step.service)
            writer.u64(step.publishedAtUnixNano)
        }
        return writer.bytes
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> [FlowTrail.Step] {
        guard bytes.count > 0 else { return [] }
        var reader = ByteReader(bytes)
        let count = try reader.count()
        var steps: [FlowTrail.Step] = []
        steps.reserveCapacity(count)
        for _ in 0..<count {
            steps.append(FlowTrail.Step(type: try reader.string(), service: try reader.string(), publishedAtUnixNano: try reader.u64()))
        }
        return steps
    }
}
