import ChoreoModel

/// The query side of the flow index: summaries, trails and counts. Reads never write.
public protocol FlowIndexReader: Sendable {
    /// One flow's summary, if indexed.
    func flowSummary(correlationID: String) async throws -> FlowSummary?

    /// Flow summaries matching a query, most recent activity first (ties by correlation id).
    func flowSummaries(_ query: FlowQuery) async throws -> [FlowSummary]

    /// The trails of the flows matching a query, most recent activity first; flows indexed
    /// without a trail are left out.
    func flowTrails(_ query: FlowQuery) async throws -> [FlowTrail]

    /// How many indexed flows have each status, among those matching `query` (its statuses
    /// and limit are ignored).
    func flowCounts(_ query: FlowQuery) async throws -> [FlowStatus: Int]

    /// How the indexer judges flows, as it last recorded it (``FlowIndexWriter/saveJudging(_:)``),
    /// so every reader of the store (the query API, `choreo --db`) rebuilds a flow exactly as the
    /// index did; nil when nothing was recorded. Opaque bytes: the store does no flow logic.
    func judging() async throws -> [UInt8]?
}

/// The indexer's side of the flow index: which flows changed, and writing their entries.
///
/// The store does no flow logic: it records which correlation ids changed (``dirtyFlows(limit:)``,
/// marked by ``SpanWriter/append(_:)``) and stores the entries the collector computes.
public protocol FlowIndexWriter: Sendable {
    /// Up to `limit` flows whose spans changed since their summary was last written, oldest
    /// mark first.
    func dirtyFlows(limit: Int) async throws -> [DirtyFlow]

    /// Writes flow summaries, then clears each given dirty mark unless spans appended since
    /// it was read marked the flow again (its version moved on).
    func upsertSummaries(_ summaries: [FlowSummary], clearing: [DirtyFlow]) async throws

    /// Writes index entries (summary and trail, plus the type and service index rows), then
    /// clears the dirty marks as ``upsertSummaries(_:clearing:)`` does.
    func upsertFlows(_ flows: [IndexedFlow], clearing: [DirtyFlow]) async throws

    /// Up to `limit` flows whose due time (``IndexedFlow/dueAtUnixNano``) is at or before
    /// `unixNano`, earliest first: an index lookup, whatever the number of flows.
    func dueFlows(at unixNano: UInt64, limit: Int) async throws -> [String]

    /// Records how flows are judged (replacing what was recorded); durable on return.
    func saveJudging(_ settings: [UInt8]) async throws
}
