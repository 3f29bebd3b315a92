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
    private let writer: SQLiteLane<SQLiteWriter>
    private let readers: [SQLiteLane<SQLiteReader>]
    private let nextReader = Atomic<UInt>(0)

    /// Opens the database file at `path`, creating it and its schema if needed.
    ///
    /// Blocks while it opens and migrates the file: call it at start-up, not on a hot path.
    ///
    /// - Throws: ``StoreError`` `cannot_open` when the file cannot be opened or created (the
    ///   message says whether the directory is missing or not writable), `schema` when the file
    ///   has a newer schema than this build knows.
    public init(path: String, options: SQLiteOptions = SQLiteOptions()) throws {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else {
            throw StoreError(.cannotOpen, "'\(path)' is not a file path: give a path such as choreo.sqlite (use InMemorySpanStore for tests)")
        }
        self.path = path
        let writer = try SQLiteWriter(path: path, options: options)
        self.writer = SQLiteLane(label: "choreo.store.writer", resource: writer)
        self.readers = try (0..<max(1, options.readConnections)).map { i in
            SQLiteLane(label: "choreo.store.reader.\(i)", resource: try SQLiteReader(path: path, options: options))
        }
    }

    /// Closes every connection once the work already queued on it has finished.
    ///
    /// Later calls throw ``StoreError`` `closed`. Closing the last connection checkpoints the WAL.
    public func close() async {
        for reader in readers { await reader.close() }
        await writer.close()
    }

    private var reader: SQLiteLane<SQLiteReader> {
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

    public func dirtyFlows(limit: Int) async throws -> [DirtyFlow] {
        try await reader.run { try $0.dirtyFlows(limit: limit) }
    }

    public func upsertSummaries(_ summaries: [FlowSummary], clearing: [DirtyFlow]) async throws {
        guard !summaries.isEmpty || !clearing.isEmpty else { return }
        try await writer.run { try $0.upsert(summaries, clearing: clearing) }
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
}
