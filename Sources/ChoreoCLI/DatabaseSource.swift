import ChoreoFlows
import ChoreoModel
import ChoreoPostgresStore
import ChoreoQuery
import ChoreoStore

/// Reads a collector's SQLite file directly, read-only (`choreo --db PATH`), or its PostgreSQL
/// store (`choreo --db postgres://…`, read-only connections); works while the collector runs. Every answer comes from the same ``QueryService`` as the collector's API,
/// judging flows as the collector recorded it in the file (``FlowJudging``), so `--db` and the
/// API answer alike for the same file.
public struct DatabaseSource: QuerySource {
    let service: QueryService

    /// Runs `body` with the database at `path` (a file, or a `postgres://` URL) open read-only,
    /// and closes it afterwards.
    ///
    /// `options` judge flows only when no collector has recorded its judging in the file.
    public static func with<Result: Sendable>(
        path: String, options: FlowOptions = FlowOptions(), now: @escaping @Sendable () -> UInt64 = UnixTime.nowNanos,
        _ body: (DatabaseSource) async throws -> Result
    ) async throws -> Result {
        if PostgresStoreConfiguration.isURL(path) {
            do {
                var configuration = try PostgresStoreConfiguration(url: path)
                configuration.readOnly = true
                configuration.maximumConnections = 2
                return try await PostgresSpanStore.withStore(configuration: configuration) { store in
                    try await body(DatabaseSource(service: QueryService(store: store, fallback: options, now: now)))
                }
            } catch let error as StoreError where error.code == .cannotOpen || error.code == .schema {
                throw CLIError.usage("cannot read --db \(path): \(error.message)")
            }
        }
        let store: SQLiteSpanStore
        do {
            store = try SQLiteSpanStore(readingFrom: path, options: SQLiteOptions(readConnections: 1))
        } catch let error as StoreError {
            throw CLIError.usage("cannot read --db \(path): \(error.message)")
        }
        let source = DatabaseSource(service: QueryService(store: store, fallback: options, now: now))
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
        try await service.flows(query.storeQuery(defaultLimit: 100))
    }

    public func flow(correlationID: String) async throws -> Flow {
        // Sampled out first: the error spans it keeps would rebuild a torn flow.
        if let sampled = try await service.sampledOut(correlationID: correlationID) { throw CLIError.notFound(sampled.message) }
        guard let flow = try await service.flow(correlationID: correlationID) else {
            throw CLIError.notFound("no flow with correlation id \"\(correlationID)\"")
        }
        return flow
    }

    public func map(_ query: FlowListQuery) async throws -> ProcessMap {
        try await service.discovery(query.storeQuery(defaultLimit: QueryService.defaultDiscoveryFlows)).map
    }

    public func variants(_ query: FlowListQuery, top: Int?) async throws -> VariantReport {
        try await service.discovery(query.storeQuery(defaultLimit: QueryService.defaultDiscoveryFlows)).variantReport.prefix(top)
    }

    public func xes(_ query: FlowListQuery) async throws -> String {
        FlowExport.xes(try await service.trails(query.storeQuery(defaultLimit: QueryService.defaultDiscoveryFlows)))
    }

    public func trace(_ traceID: TraceID) async throws -> TraceDocument {
        guard let document = try await service.trace(traceID) else { throw CLIError.notFound("no trace with id \(traceID.hex)") }
        return document
    }

    public func traces(_ query: TraceQuery) async throws -> [TraceSummary] {
        try await service.traces(query)
    }
}
