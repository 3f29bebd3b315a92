import ChoreoModel

/// A flow's index entry: its summary and its trail.
public struct IndexedFlow: Hashable, Sendable {
    /// What `flows list` shows.
    public var summary: FlowSummary
    /// What discovery reads.
    public var trail: [FlowTrail.Step]
    /// When the flow must be judged again though no span arrives (an in-flight flow may turn
    /// stuck then; Unix nanoseconds); nil when only new spans can change it.
    public var dueAtUnixNano: UInt64?
    /// When tail sampling decided to drop the flow's spans (Unix nanoseconds); nil for a flow
    /// whose spans are kept. Writing an entry with it set deletes every span of the flow but
    /// those with an error status in the same transaction (``FlowSamplingIndex``).
    public var sampledOutAtUnixNano: UInt64?

    /// Creates an entry.
    public init(summary: FlowSummary, trail: [FlowTrail.Step], dueAtUnixNano: UInt64? = nil, sampledOutAtUnixNano: UInt64? = nil) {
        self.summary = summary
        self.trail = trail
        self.dueAtUnixNano = dueAtUnixNano
        self.sampledOutAtUnixNano = sampledOutAtUnixNano
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
