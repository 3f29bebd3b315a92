import ChoreoFlows
import ChoreoModel
import ChoreoStore

/// The queries of Choreoscope, once: the collector's HTTP routes and `choreo --db` both call
/// this service, so the same store gives the same answer through either.
///
/// Reads never write. Flow summaries, counts and trails come from the flow index as the indexer
/// last wrote it; one flow is rebuilt from its spans with the judging the indexer recorded in the
/// store (``FlowJudging``: terminal types, fixed and learned stuck limits, the flow definition).
public struct QueryService: Sendable {
    let spans: any SpanReader
    let index: any FlowIndexReader
    /// The judging used when the store has none recorded (a store no collector has opened).
    let fallback: FlowOptions
    let now: @Sendable () -> UInt64
    /// Large flows built before, reused while their spans and the judging stay the same.
    public let cache: FlowBuildCache

    /// Flows read for discovery when no limit is given, and at most.
    public static let defaultDiscoveryFlows = 10_000
    public static let maxDiscoveryFlows = 1_000_000

    public init(
        spans: any SpanReader, index: any FlowIndexReader, fallback: FlowOptions = FlowOptions(),
        now: @escaping @Sendable () -> UInt64 = UnixTime.nowNanos, cache: FlowBuildCache = FlowBuildCache()
    ) {
        self.cache = cache
        self.spans = spans
        self.index = index
        self.fallback = fallback
        self.now = now
    }

    /// A service over one store that offers both seams.
    public init(
        store: any SpanReader & FlowIndexReader, fallback: FlowOptions = FlowOptions(),
        now: @escaping @Sendable () -> UInt64 = UnixTime.nowNanos, cache: FlowBuildCache = FlowBuildCache()
    ) {
        self.init(spans: store, index: store, fallback: fallback, now: now, cache: cache)
    }

    /// How flows are judged now: as recorded in the store, else ``fallback``.
    public func options() async throws -> FlowOptions {
        guard let bytes = try await index.judging() else { return fallback }
        return try FlowJudging(decoding: bytes).options
    }

    /// Flow summaries matching `query`, most recent activity first.
    public func flows(_ query: FlowQuery) async throws -> [FlowSummary] {
        try await index.flowSummaries(query)
    }

    /// How many flows have each status among those matching `query` (statuses and limit ignored).
    public func stats(_ query: FlowQuery) async throws -> FlowStats {
        let counts = try await index.flowCounts(query)
        var byStatus: [String: Int] = [:]
        for status in FlowStatus.allCases { byStatus[status.rawValue] = counts[status] ?? 0 }
        return FlowStats(byStatus: byStatus, total: counts.values.reduce(0, +))
    }

    /// One flow rebuilt from its spans now; nil when no span carries the correlation id.
    /// A large flow whose spans and judging are unchanged since it was last built is reused
    /// (``FlowBuildCache``).
    public func flow(correlationID: String) async throws -> Flow? {
        let options = try await options()
        let at = now()
        let fingerprint = try await spans.flowFingerprint(correlationID: correlationID)
        if let fingerprint, let kept = cache.flow(correlationID: correlationID, fingerprint: fingerprint, options: options, now: at) {
            return kept
        }
        let spans = try await spans.spans(correlationID: correlationID)
        let flow = FlowBuilder(options: options).build(correlationID: correlationID, spans: spans, now: at)
        if let flow, let fingerprint { cache.keep(flow, fingerprint: fingerprint, options: options) }
        return flow
    }

    /// The index's trails of the flows matching `query`, for discovery and XES.
    public func trails(_ query: FlowQuery) async throws -> [FlowTrail] {
        try await index.flowTrails(query)
    }

    /// The process map and variants of the flows matching `query`.
    public func discovery(_ query: FlowQuery) async throws -> ProcessDiscovery {
        var discovery = ProcessDiscovery()
        for trail in try await trails(query) { discovery.add(trail) }
        return discovery
    }

    /// Every span of a trace; nil when there is none.
    public func trace(_ traceID: TraceID) async throws -> TraceDocument? {
        let spans = try await spans.spans(traceID: traceID)
        return spans.isEmpty ? nil : TraceDocument(traceID: traceID, spans: spans)
    }

    /// Summaries of the traces with a span matching `query`.
    public func traces(_ query: TraceQuery) async throws -> [TraceSummary] {
        try await spans.traceSummaries(query)
    }
}
