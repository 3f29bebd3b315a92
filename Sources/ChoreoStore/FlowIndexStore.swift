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

    /// The stuck flows grouped by the message type they wait for, each group with its count and
    /// its oldest last activity (``StuckFlowGroup``): one grouped index query, no summary decoded.
    func stuckFlowGroups() async throws -> [StuckFlowGroup]

    /// How the indexer judges flows, as it last recorded it (``FlowIndexWriter/saveJudging(_:)``),
    /// so every reader of the store (the query API, `choreo --db`) rebuilds a flow exactly as the
    /// index did; nil when nothing was recorded. Opaque bytes: the store does no flow logic.
    func judging() async throws -> [UInt8]?
}

/// The indexer's side of the flow index: which flows changed, and writing their entries.
///
/// The store does no flow logic: it records which correlation ids changed (``dirtyFlows(limit:)``,
/// marked by ``SpanWriter/append(_:)``) and stores the entries the collector computes.
///
/// Several indexers (collectors sharing one store) divide the work by *claims*: a flow handed
/// out by ``claimDirtyFlows(at:limit:lease:)`` or ``claimDueFlows(at:limit:lease:)`` is handed
/// to no other claim until the write that clears its mark releases it, or until the lease runs
/// out (its holder died or stalled). A write that clears a claimed mark writes that flow's entry
/// only while the claim still holds, so a holder whose lease ran out and whose flow another
/// indexer took over cannot overwrite the newer entry. Claims are compared with the times the
/// callers give (`at`): a caller with a fast clock can take over a claim early, which costs
/// work done twice, never a wrong or missing entry.
public protocol FlowIndexWriter: Sendable {
    /// Up to `limit` flows whose spans changed since their summary was last written, oldest
    /// mark first, claimed or not (a read: it claims nothing).
    func dirtyFlows(limit: Int) async throws -> [DirtyFlow]

    /// Claims up to `limit` dirty flows that no claim holds at `unixNano` (none, or one whose
    /// lease ran out), oldest mark first, until `unixNano + lease`. The marks carry the claim.
    func claimDirtyFlows(at unixNano: UInt64, limit: Int, lease: Duration) async throws -> [DirtyFlow]

    /// Claims, as ``claimDirtyFlows(at:limit:lease:)`` does, up to `limit` flows whose due time
    /// (``IndexedFlow/dueAtUnixNano``) is at or before `unixNano`, earliest first, skipping flows
    /// a claim holds. The write clears and releases these marks as it does dirty ones; a store
    /// shared by several processes records them as dirty marks, so a flow whose holder died is
    /// claimed again (as dirty) once the lease ran out.
    func claimDueFlows(at unixNano: UInt64, limit: Int, lease: Duration) async throws -> [DirtyFlow]

    /// Gives back the claims of `marks` that still hold, writing nothing (an indexer whose pass
    /// failed after it claimed): the marks stay as they are, and the next claim takes them at
    /// once instead of after the lease.
    func releaseClaims(_ marks: [DirtyFlow]) async throws

    /// Writes flow summaries, then clears each given dirty mark unless spans appended since
    /// it was read marked the flow again (its version moved on). A claimed mark's claim is
    /// released either way; a flow whose mark in `clearing` carries a claim that no longer holds
    /// (its lease ran out and another claim took it, or the flow was indexed and cleared since)
    /// is not written. Flows without a claimed mark in `clearing` are written as given.
    func upsertSummaries(_ summaries: [FlowSummary], clearing: [DirtyFlow]) async throws

    /// Writes index entries (summary and trail, plus the type and service index rows), then
    /// clears the dirty marks as ``upsertSummaries(_:clearing:)`` does.
    func upsertFlows(_ flows: [IndexedFlow], clearing: [DirtyFlow]) async throws

    /// Up to `limit` flows whose due time (``IndexedFlow/dueAtUnixNano``) is at or before
    /// `unixNano`, earliest first: an index lookup, whatever the number of flows. A read: it
    /// claims nothing.
    func dueFlows(at unixNano: UInt64, limit: Int) async throws -> [String]

    /// Records how flows are judged (replacing what was recorded); durable on return.
    func saveJudging(_ settings: [UInt8]) async throws
}
