import ChoreoFlows
import ChoreoModel
import ChoreoStore

/// Reads a collector's SQLite file directly, read-only (`choreo --db PATH`); works while the
/// collector runs. Flows are rebuilt with a fixed stuck limit (`builder`), since the
/// collector's learned limits live in its memory; summaries are the index as last written.
public struct DatabaseSource: QuerySource {
    let store: SQLiteSpanStore
    let builder: FlowBuilder
    let now: @Sendable () -> UInt64

    /// Runs `body` with the database at `path` open read-only, and closes it afterwards.
    public static func with<Result: Sendable>(
        path: String, options: FlowOptions = FlowOptions(), now: @escaping @Sendable () -> UInt64 = UnixTime.nowNanos,
        _ body: (DatabaseSource) async throws -> Result
    ) async throws -> Result {
        let store: SQLiteSpanStore
        do {
            store = try SQLiteSpanStore(readingFrom: path, options: SQLiteOptions(readConnections: 1))
        } catch let error as StoreError {
            throw CLIError.usage("cannot read --db \(path): \(error.message)")
        }
        let source = DatabaseSource(store: store, builder: FlowBuilder(options: options), now: now)
        do {
            let result = try await body(source)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    public func flows(_ query: FlowListQuery) async throws -> [FlowSummary] {
        try await store.flowSummaries(query.storeQuery(defaultLimit: 100))
    }

    public func flow(correlationID: String) async throws -> Flow {
        let spans = try await store.spans(correlationID: correlationID)
        guard let flow = builder.build(correlationID: correlationID, spans: spans, now: now()) else {
            throw CLIError.notFound("no flow with correlation id \"\(correlationID)\"")
        }
        return flow
    }

    func discovery(_ query: FlowListQuery) async throws -> ProcessDiscovery {
        var discovery = ProcessDiscovery()
        for trail in try await store.flowTrails(query.storeQuery(defaultLimit: DiscoveryLimits.defaultFlows)) {
            discovery.add(trail.path)
        }
        return discovery
    }

    public func map(_ query: FlowListQuery) async throws -> ProcessMap {
        try await discovery(query).map
    }

    public func variants(_ query: FlowListQuery, top: Int?) async throws -> VariantReport {
        try await discovery(query).variantReport.prefix(top)
    }

    public func xes(_ query: FlowListQuery) async throws -> String {
        FlowExport.xes(try await store.flowTrails(query.storeQuery(defaultLimit: DiscoveryLimits.defaultFlows)).map(\.path))
    }

    public func trace(_ traceID: TraceID) async throws -> TraceDocument {
        let spans = try await store.spans(traceID: traceID)
        guard !spans.isEmpty else { throw CLIError.notFound("no trace with id \(traceID.hex)") }
        return TraceDocument(traceID: traceID, spans: spans)
    }

    public func traces(_ query: TraceQuery) async throws -> [TraceSummary] {
        try await store.traceSummaries(query)
    }
}
