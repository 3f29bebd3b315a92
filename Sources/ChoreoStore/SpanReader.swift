import ChoreoModel

/// The query side of the span store: spans by trace and by flow, trace search. Reads never write.
public protocol SpanReader: Sendable {
    /// All spans of a trace, ordered by start time.
    func spans(traceID: TraceID) async throws -> [SpanRecord]

    /// All spans carrying a correlation id (`messaging.message.conversation_id`), ordered by start time.
    func spans(correlationID: String) async throws -> [SpanRecord]

    /// The spans of each of several flows, by correlation id, each ordered by start time: what
    /// the flow indexer reads once per cycle instead of once per flow. Ids without spans are absent.
    func spans(correlationIDs: [String]) async throws -> [String: [SpanRecord]]

    /// Summaries of the traces with a span matching `query`, newest matching span first.
    func traceSummaries(_ query: TraceQuery) async throws -> [TraceSummary]

    /// The number of spans stored.
    func spanCount() async throws -> Int

    /// A fingerprint of the spans stored for a correlation id (``FlowSpansFingerprint``); nil
    /// when the store cannot tell cheaply (then no built flow is reused).
    func flowFingerprint(correlationID: String) async throws -> FlowSpansFingerprint?
}

extension SpanReader {
    /// No fingerprint: every read of a flow rebuilds it.
    public func flowFingerprint(correlationID: String) async throws -> FlowSpansFingerprint? { nil }

    /// One read per flow: correct for any reader; stores override it with one batched read.
    public func spans(correlationIDs: [String]) async throws -> [String: [SpanRecord]] {
        var result: [String: [SpanRecord]] = [:]
        for id in correlationIDs {
            let spans = try await spans(correlationID: id)
            if !spans.isEmpty { result[id] = spans }
        }
        return result
    }
}
