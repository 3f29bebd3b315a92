import ChoreoModel
import ChoreoStore

/// The queries of Jaeger's HTTP API over the span store and the flow index, answered in
/// Jaeger's model (``Jaeger``): what the collector's `/api/services`, `/api/operations`,
/// `/api/traces` and `/api/dependencies` routes serve to Grafana's Jaeger data source.
public struct JaegerQueryService: Sendable {
    let spans: any SpanReader
    let catalog: any ServiceCatalog
    let index: any FlowIndexReader

    /// The most flows (most recent activity first) whose spans one dependency query reads.
    public static let maxDependencyFlows = 1_000

    public init(spans: any SpanReader, catalog: any ServiceCatalog, index: any FlowIndexReader) {
        self.spans = spans
        self.catalog = catalog
        self.index = index
    }

    /// A service over one store that offers every seam.
    public init(store: any SpanReader & ServiceCatalog & FlowIndexReader) {
        self.init(spans: store, catalog: store, index: store)
    }

    /// Every service with stored spans, sorted.
    public func services() async throws -> [String] {
        try await catalog.serviceNames()
    }

    /// `service`'s operations (span name and kind), only those of `kind` when given.
    public func operations(service: String, kind: SpanKind?) async throws -> [ServiceOperation] {
        try await catalog.operations(service: service, kind: kind)
    }

    /// One trace in Jaeger's model; nil when no span of it is stored.
    public func trace(_ traceID: TraceID) async throws -> Jaeger.Trace? {
        let spans = try await spans.spans(traceID: traceID)
        return spans.isEmpty ? nil : Jaeger.Trace(traceID: traceID, spans: spans)
    }

    /// The traces holding a span that matches `search`, newest matching span first.
    public func traces(_ search: SpanSearch) async throws -> [Jaeger.Trace] {
        var result: [Jaeger.Trace] = []
        for id in try await catalog.traceIDs(search) {
            if let trace = try await trace(id) { result.append(trace) }
        }
        return result
    }

    /// The service edges of the flows active between `since` and `until` (Unix nanoseconds):
    /// from the flow index, the ``maxDependencyFlows`` most recently active, their spans read
    /// in one batch, with the other spans of their traces (at most ``maxDependencyTraces``
    /// traces: a handler's calls to services outside the flow); a span counts when it started
    /// in the window (``Jaeger/Dependencies``).
    public func dependencies(since: UInt64, until: UInt64) async throws -> [Jaeger.DependencyLink] {
        let flows = try await index.flowSummaries(FlowQuery(since: since, until: until, limit: Self.maxDependencyFlows))
        let byFlow = try await spans.spans(correlationIDs: flows.map(\.correlationID))
        var all: [SpanRecord] = []
        var seen: Set<SpanKey> = []
        var traces: [TraceID] = []
        var seenTraces: Set<TraceID> = []
        for flow in flows {
            for span in byFlow[flow.correlationID] ?? [] where seen.insert(SpanKey(span)).inserted {
                all.append(span)
                if traces.count < Self.maxDependencyTraces, seenTraces.insert(span.traceID).inserted { traces.append(span.traceID) }
            }
        }
        for trace in traces {
            for span in try await spans.spans(traceID: trace) where seen.insert(SpanKey(span)).inserted { all.append(span) }
        }
        var dependencies = Jaeger.Dependencies()
        dependencies.add(all, startingIn: since...max(since, until))
        return dependencies.links
    }

    /// The most traces whose other spans one dependency query reads.
    public static let maxDependencyTraces = 2_000

    private struct SpanKey: Hashable {
        var trace: TraceID
        var span: SpanID
        init(_ span: SpanRecord) {
            trace = span.traceID
            self.span = span.spanID
        }
    }
}
