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

/// A flow whose summary is out of date: new spans arrived since it was last indexed (or, when
/// claimed with ``FlowIndexWriter/claimDueFlows(at:limit:lease:)``, it fell due).
public struct DirtyFlow: Sendable, Hashable {
    public var correlationID: String
    /// Raised every time new spans of the flow are appended (store-wide increasing values, so
    /// an outdated clear never removes a newer mark).
    public var version: Int64
    /// The claim this mark was handed out under (``FlowIndexWriter/claimDirtyFlows(at:limit:lease:)``),
    /// nil for a mark only read (``FlowIndexWriter/dirtyFlows(limit:)``). A write that clears a
    /// claimed mark writes the flow's entry only while the claim still holds.
    public var claim: Int64?

    /// Creates a dirty mark as read or claimed from a store.
    public init(correlationID: String, version: Int64, claim: Int64? = nil) {
        self.correlationID = correlationID
        self.version = version
        self.claim = claim
    }
}

/// Everything a store of spans and of the flow index offers: the collector's SQLite (and, for
/// tests, in-memory) store implements every seam at once.
///
/// Each user depends on the narrow seam it needs, as Jaeger's storage splits reader, writer
/// and dependency store: ingest on ``SpanWriter``, queries on ``SpanReader`` and
/// ``FlowIndexReader``, the flow indexer on ``FlowIndexWriter`` (and the reader), retention on
/// ``SpanRetention``. Implementations: ``SQLiteSpanStore``, ``InMemorySpanStore``; each passes
/// the contract suite of every seam.
public typealias SpanStore = SpanWriter & SpanReader & FlowIndexReader & FlowIndexWriter & FlowSamplingIndex
