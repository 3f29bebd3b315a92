import ChoreoModel

/// What one retention step removed.
public struct RetentionChunk: Sendable, Hashable {
    /// Spans deleted.
    public var deletedSpans: Int
    /// Flows deleted because their last span went: their summary and dirty mark are gone too.
    public var deletedFlows: Int

    /// Creates a result.
    public init(deletedSpans: Int = 0, deletedFlows: Int = 0) {
        self.deletedSpans = deletedSpans
        self.deletedFlows = deletedFlows
    }
}

/// A store that can forget old spans, a bounded chunk at a time.
///
/// Retention is by span start time. A flow goes (summary and dirty mark) in the same transaction
/// as its last span; a flow with spans left on both sides of the cutoff keeps its summary as last
/// indexed, and is rebuilt from the spans that remain when it is shown.
public protocol SpanRetention: Sendable {
    /// Deletes at most `limit` spans that started before `cutoffUnixNano`, oldest first, in one
    /// transaction, together with the summaries and dirty marks of flows left without spans.
    ///
    /// Fewer than `limit` deleted spans means nothing older is left. Keep `limit` small (a few
    /// thousand) so the transaction holds the write lock only briefly and ingest never stalls.
    func deleteSpans(startedBefore cutoffUnixNano: UInt64, limit: Int) async throws -> RetentionChunk
}
