import ChoreoModel

/// A filter for listing flow summaries: any of `statuses` (all when empty), any of `types` and
/// any of `services` (all when empty), active in a window.
public struct FlowQuery: Sendable, Hashable {
    public var statuses: [FlowStatus]
    /// Only flows with a message of one of these types (an index lookup).
    public var types: [String] = []
    /// Only flows in which one of these services took part (an index lookup).
    public var services: [String] = []
    /// Only flows whose last activity is at or after this time.
    public var since: UInt64?
    /// Only flows whose first activity is at or before this time.
    public var until: UInt64?
    /// At most this many summaries (0 or less: none).
    public var limit: Int

    /// Creates a query; no statuses, types or services means every one.
    public init(
        statuses: [FlowStatus] = [], types: [String] = [], services: [String] = [], since: UInt64? = nil,
        until: UInt64? = nil, limit: Int = 100
    ) {
        self.statuses = statuses
        self.types = types
        self.services = services
        self.since = since
        self.until = until
        self.limit = limit
    }
}

/// A flow whose summary is out of date: new spans arrived since it was last indexed.
public struct DirtyFlow: Sendable, Hashable {
    public var correlationID: String
    /// Raised every time new spans of the flow are appended (store-wide increasing values, so
    /// an outdated clear never removes a newer mark).
    public var version: Int64

    /// Creates a dirty mark as read from a store.
    public init(correlationID: String, version: Int64) {
        self.correlationID = correlationID
        self.version = version
    }
}

/// Storage of spans and of the flow index.
///
/// Durability: when ``append(_:)`` returns, the spans are committed and survive a crash of the
/// process (SQLite: WAL committed). The collector acknowledges an ingest request only then.
/// The store does no flow logic: it records which correlation ids changed (``dirtyFlows(limit:)``)
/// and stores the summaries the collector computes.
///
/// Spans are keyed by (trace id, span id): a span sent again (at-least-once delivery) is ignored,
/// never duplicated, and marks nothing dirty. Implementations: ``SQLiteSpanStore``,
/// ``InMemorySpanStore`` (for tests); every one must pass the shared contract test suite.
public protocol SpanStore: Sendable {
    /// Stores spans in one transaction and marks dirty the correlation ids of the spans it
    /// actually inserted, in the same transaction. Durable on return.
    func append(_ spans: [SpanRecord]) async throws

    /// All spans of a trace, ordered by start time.
    func spans(traceID: TraceID) async throws -> [SpanRecord]

    /// All spans carrying a correlation id (`messaging.message.conversation_id`), ordered by start time.
    func spans(correlationID: String) async throws -> [SpanRecord]

    /// Up to `limit` flows whose spans changed since their summary was last written, oldest
    /// mark first.
    func dirtyFlows(limit: Int) async throws -> [DirtyFlow]

    /// Writes flow summaries, then clears each given dirty mark unless spans appended since
    /// it was read marked the flow again (its version moved on).
    func upsertSummaries(_ summaries: [FlowSummary], clearing: [DirtyFlow]) async throws

    /// One flow's summary, if indexed.
    func flowSummary(correlationID: String) async throws -> FlowSummary?

    /// Flow summaries matching a query, most recent activity first (ties by correlation id).
    func flowSummaries(_ query: FlowQuery) async throws -> [FlowSummary]

    /// The number of spans stored.
    func spanCount() async throws -> Int

    /// Writes index entries (summary and trail, plus the type and service index rows), then
    /// clears the dirty marks as ``upsertSummaries(_:clearing:)`` does.
    func upsertFlows(_ flows: [IndexedFlow], clearing: [DirtyFlow]) async throws

    /// The trails of the flows matching a query, most recent activity first; flows indexed
    /// without a trail are left out.
    func flowTrails(_ query: FlowQuery) async throws -> [FlowTrail]

    /// How many indexed flows have each status, among those matching `query` (its statuses
    /// and limit are ignored).
    func flowCounts(_ query: FlowQuery) async throws -> [FlowStatus: Int]

    /// Summaries of the traces with a span matching `query`, newest matching span first.
    func traceSummaries(_ query: TraceQuery) async throws -> [TraceSummary]
}
