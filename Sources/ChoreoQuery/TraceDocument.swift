import ChoreoModel

/// The answer of `GET /api/v1/traces/{id}` and the output of `choreo traces get --json`:
/// `{"trace_id": "...", "spans": [...]}` with spans in their ``SpanRecord`` JSON form.
public struct TraceDocument: Sendable, Hashable, Codable {
    enum CodingKeys: String, CodingKey {
        case traceID = "trace_id"
        case spans
    }

    /// The trace asked for.
    public var traceID: TraceID
    /// Every span of the trace the collector holds.
    public var spans: [SpanRecord]

    /// A document holding `spans` of `traceID`.
    public init(traceID: TraceID, spans: [SpanRecord]) {
        self.traceID = traceID
        self.spans = spans
    }
}
