import ChoreoModel
import Synchronization

/// A ``SpanStore`` in one SQLite file (system libsqlite3), in WAL mode.
///
/// One writer connection on its own serial dispatch queue takes every write; queries run on
/// separate read connections (``SQLiteOptions/readConnections``), which WAL lets read while the
/// writer commits. Blocking SQLite calls never run on Swift's cooperative thread pool.
///
/// Durability: ``append(_:)`` commits one transaction per call and returns once it is committed
/// (with the default `synchronous = FULL`, fsynced). Spans are keyed by (trace id, span id), so a
/// re-sent span is ignored rather than duplicated; only spans actually inserted mark their flow
/// dirty.
public final class SQLiteSpanStore: SpanStore {
    /// The database file.
    public let path: String
    /// Nil when the store was opened read-only.
    private let writerLane: SQLiteLane<SQLiteWriter>?
    private let readers: [SQLiteLane<SQLiteReader>]
    private let nextReader = Atomic<UInt>(0)
    /// The claims of this process's indexer (one process indexes a SQLite file).
    let claims = Mutex(FlowClaims())

    /// Opens the database file at `path`, creating it and its schema if needed.
    ///
    /// An existing file is checked first (`PRAGMA quick_check`, which reads every page once):
    /// a damaged file is refused before anything writes to it, rather than opened to fail
    /// commits and reads later. Blocks while it checks, opens and migrates the file: call it at
    /// start-up, not on a hot path.
    ///
    /// - Throws: ``StoreError`` `cannot_open` when the file cannot be opened or created (the
    ///   message says whether the directory is missing or not writable) or is damaged (the
    ///   message names what SQLite found), `schema` when the file has a newer schema than this
    ///   build knows.
    public init(path: String, options: SQLiteOptions = SQLiteOptions()) throws {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else {
            throw StoreError(.cannotOpen, "'\(path)' is not a file path: give a path such as choreo.sqlite (use InMemorySpanStore for tests)")
        }
        try Self.checkIntegrity(path: path)
        self.path = path
        let writer = try SQLiteWriter(path: path, options: options)
        self.writerLane = SQLiteLane(label: "choreo.store.writer", resource: writer)
        self.readers = try (0..<max(1, options.readConnections)).map { i in
            SQLiteLane(label: "choreo.store.reader.\(i)", resource: try SQLiteReader(path: path, options: options))
        }
    }

    /// Opens an existing database file for reading only, e.g. `choreo --db` next to a running
    /// collector (WAL lets it read while the collector writes). Every write throws.
    ///
    /// - Throws: ``StoreError`` `cannot_open` when the file is missing or unreadable, `schema`
    ///   when its schema is not this build's.
    public init(readingFrom path: String, options: SQLiteOptions = SQLiteOptions()) throws {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else {
            throw StoreError(.cannotOpen, "'\(path)' is not a file path")
        }
        self.path = path
        self.writerLane = nil
        let first = try SQLiteReader(path: path, options: options, readOnly: true)
        try SQLiteSchema.requireCurrent(first.db)
        var lanes = [SQLiteLane(label: "choreo.store.reader.0", resource: first)]
        for i in 1..<max(1, options.readConnections) {
            lanes.append(SQLiteLane(label: "choreo.store.reader.\(i)", resource: try SQLiteReader(path: path, options: options, readOnly: true)))
        }
        self.readers = lanes
    }

    /// Closes every connection once the work already queued on it has finished.
    ///
    /// Later calls throw ``StoreError`` `closed`. Closing the last connection checkpoints the WAL.
    public func close() async {
        for reader in readers { await reader.close() }
        await writerLane?.close()
    }

    var writer: SQLiteLane<SQLiteWriter> {
        get throws {
            guard let writerLane else { throw StoreError(.cannotOpen, "the span database '\(path)' is open read-only") }
            return writerLane
        }
    }

    var reader: SQLiteLane<SQLiteReader> {
        let n = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        return readers[Int(n % UInt(readers.count))]
    }

    public func append(_ spans: [SpanRecord]) async throws {
        guard !spans.isEmpty else { return }
        let batch = EncodedBatch(spans)
        try await writer.run { try $0.append(batch) }
    }

    public func spans(traceID: TraceID) async throws -> [SpanRecord] {
        try await reader.run { try $0.spans(traceID: traceID) }
    }

    public func spans(correlationID: String) async throws -> [SpanRecord] {
        try await reader.run { try $0.spans(correlationID: correlationID) }
    }

    public func spans(correlationIDs: [String]) async throws -> [String: [SpanRecord]] {
        try await reader.run { try $0.spans(correlationIDs: correlationIDs) }
    }

    public func dirtyFlows(limit: Int) async throws -> [DirtyFlow] {
        try await reader.run { try $0.dirtyFlows(limit: limit) }
    }

    public func upsertSummaries(_ summaries: [FlowSummary], clearing: [DirtyFlow]) async throws {
        guard !summaries.isEmpty || !clearing.isEmpty else { return }
        try await writeClaimed(clearing) { writer, stale in
            try writer.upsert(summaries.filter { !stale.contains($0.correlationID) }, clearing: clearing.filter { !stale.contains($0.correlationID) })
        }
    }

    /// Runs a write of index entries on the writer, told which flows' claims no longer hold
    /// (their entries are left out and their marks kept), then releases the claims of `clearing`,
    /// also when the write failed: the marks it did not clear are claimed again at once.
    private func writeClaimed(_ clearing: [DirtyFlow], _ body: @escaping @Sendable (SQLiteWriter, Set<String>) throws -> Void) async throws {
        defer { claims.withLock { $0.release(clearing) } }
        try await writer.run { [self] writer in try body(writer, claims.withLock { $0.stale(clearing) }) }
    }

    public func flowSummary(correlationID: String) async throws -> FlowSummary? {
        try await reader.run { try $0.flowSummary(correlationID: correlationID) }
    }

    public func flowSummaries(_ query: FlowQuery) async throws -> [FlowSummary] {
        try await reader.run { try $0.flowSummaries(query) }
    }

    public func spanCount() async throws -> Int {
        try await reader.run { try $0.spanCount() }
    }

    public func upsertFlows(_ flows: [IndexedFlow], clearing: [DirtyFlow]) async throws {
        guard !flows.isEmpty || !clearing.isEmpty else { return }
        try await writeClaimed(clearing) { writer, stale in
            try writer.upsert(
                flows: flows.filter { !stale.contains($0.summary.correlationID) }, clearing: clearing.filter { !stale.contains($0.correlationID) })
        }
    }

    public func flowTrails(_ query: FlowQuery) async throws -> [FlowTrail] {
        try await reader.run { try $0.flowTrails(query) }
    }

    public func flowCounts(_ query: FlowQuery) async throws -> [FlowStatus: Int] {
        try await reader.run { try $0.flowCounts(query) }
    }

    public func traceSummaries(_ query: TraceQuery) async throws -> [TraceSummary] {
        try await reader.run { try $0.traceSummaries(query) }
    }
}
