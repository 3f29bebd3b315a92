import ChoreoModel

/// What the flow index keeps of a flow whose spans tail sampling deleted (`choreo-collector
/// --keep-healthy`): its summary and trail, and when it was sampled out.
public struct SampledOutFlow: Hashable, Sendable {
    public var summary: FlowSummary
    public var trail: [FlowTrail.Step]
    /// When the collector deleted the flow's spans (Unix nanoseconds).
    public var sampledOutAtUnixNano: UInt64

    /// Creates an entry.
    public init(summary: FlowSummary, trail: [FlowTrail.Step], sampledOutAtUnixNano: UInt64) {
        self.summary = summary
        self.trail = trail
        self.sampledOutAtUnixNano = sampledOutAtUnixNano
    }

    /// The index entry that keeps the flow sampled out (no due time): writing it again deletes
    /// whatever spans of the flow arrived since, but for error spans (see ``IndexedFlow/sampledOutAtUnixNano``).
    public var entry: IndexedFlow {
        IndexedFlow(summary: summary, trail: trail, sampledOutAtUnixNano: sampledOutAtUnixNano)
    }
}

extension SpanRecord {
    /// Whether the span stays when its flow is sampled out: it has an error status (as head
    /// sampling keeps it). The stores' deleting SQL says the same (`status <> 'error'`).
    public var outlivesSampling: Bool { statusCode == .error }
}

/// The flows tail sampling removed the spans of. A flow is sampled out by writing its index
/// entry with ``IndexedFlow/sampledOutAtUnixNano`` set (``FlowIndexWriter/upsertFlows(_:clearing:)``):
/// the store deletes the flow's spans but its error spans (by correlation id, an index lookup;
/// an error span stays findable, as head sampling keeps it) in the same
/// transaction as it writes the entry, and only when the entry is written (its claim holds), so
/// with several collectors on one store the flow is decided and deleted once.
public protocol FlowSamplingIndex: Sendable {
    /// Of `correlationIDs`, the flows sampled out, with what the index keeps of them. One
    /// batched read.
    func sampledOutFlows(_ correlationIDs: [String]) async throws -> [String: SampledOutFlow]
}
