import ChoreoModel

/// The query side of the span store: spans by trace and by flow, trace search. Reads never write.
public protocol SpanReader: Sendable {
    /// All spans of a trace, ordered by start time.
    func spans(traceID: TraceID) async throws -> [SpanRecord]

    /// All spans carrying a correlation id (`messaging.message.conversation_id`), ordered by start time.
    func spans(correlationID: String) async throws -> [SpanRecord]

    /// Summaries of the traces with a span matching `query`, newest matching span first.
    func traceSummaries(_ query: TraceQuery) async throws -> [TraceSummary]

    /// The number of spans stored.
    func spanCount() async throws -> Int
}
