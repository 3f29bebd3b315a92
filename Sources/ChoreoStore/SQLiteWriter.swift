import ChoreoModel
import CSQLite

/// The single writer connection: opens and migrates the file, appends spans, writes the index.
///
/// Confined to the writer lane's queue. Dirty-flow versions come from one counter that only
/// grows while the store is open, so a stale clear can never remove a newer mark.
final class SQLiteWriter: SQLiteResource {
    let db: SQLiteConnection
    private var version: Int64

    static let insertSpan = """
        INSERT OR IGNORE INTO spans
            (trace_id, span_id, correlation_id, service, name, kind, start_ns, end_ns, status, record)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
        """
    static let markDirty = """
        INSERT INTO dirty_flows (correlation_id, version) VALUES (?1, ?2)
        ON CONFLICT (correlation_id) DO UPDATE SET version = excluded.version
        """
    static let clearDirty = "DELETE FROM dirty_flows WHERE correlation_id = ?1 AND version = ?2"
    static let upsertSummary = """
        INSERT INTO flow_summaries (correlation_id, status, outcome, started_ns, last_activity_ns,
            step_count, compensation_count, error_count, waiting_for, services, types)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
        ON CONFLICT (correlation_id) DO UPDATE SET
            status = excluded.status, outcome = excluded.outcome, started_ns = excluded.started_ns,
            last_activity_ns = excluded.last_activity_ns, step_count = excluded.step_count, due_ns = NULL,
            compensation_count = excluded.compensation_count, error_count = excluded.error_count,
            waiting_for = excluded.waiting_for, services = excluded.services, types = excluded.types
        """

    /// Opens or creates the file, switches it to WAL, and migrates the schema.
    init(path: String, options: SQLiteOptions) throws {
        db = try SQLiteConnection(path: path, create: true)
        sqlite3_busy_timeout(db.handle, options.busyTimeoutMillis)
        // A new file hands the pages of deleted spans (retention, tail sampling) back to the file
        // system; only possible before its first table (an existing file keeps its mode).
        if try db.scalar("SELECT count(*) FROM sqlite_master") == "0" { try db.execute("PRAGMA auto_vacuum = INCREMENTAL") }
        let mode = try db.scalar("PRAGMA journal_mode = WAL")
        guard mode?.lowercased() == "wal" else {
            throw StoreError(.cannotOpen, "'\(path)' cannot use write-ahead logging (journal mode \(mode ?? "unknown")); use a file on a local disk")
        }
        // Pragmas take no parameters; the value is one of our own constants.
        try db.execute("PRAGMA synchronous = \(options.synchronous.rawValue)")
        try SQLiteSchema.migrate(db)
        version = Int64(try db.scalar("SELECT coalesce(max(version), 0) FROM dirty_flows") ?? "0") ?? 0
    }

    func close() { db.close() }

    /// Inserts new spans and marks their flows dirty, in one transaction.
    func append(_ batch: EncodedBatch) throws {
        let insert = try db.cached(Self.insertSpan)
        let mark = try db.cached(Self.markDirty)
        try db.transaction {
            var touched: [String] = []
            var seen: Set<String> = []
            try batch.bytes.withUnsafeBytes { all in
                func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: all[range]) }
                for row in batch.rows {
                    // Every value is borrowed from `all`, which outlives the step and the reset.
                    defer { insert.reset() }
                    try insert.bind(1, borrowedBlob: slice(row.ids..<row.ids + 16))
                    try insert.bind(2, borrowedBlob: slice(row.ids + 16..<row.ids + 24))
                    if let correlation = row.correlation { try insert.bind(3, borrowedText: slice(correlation)) }
                    try insert.bind(4, borrowedText: slice(row.service))
                    try insert.bind(5, borrowedText: slice(row.name))
                    try insert.bind(6, borrowedText: slice(row.kind))
                    try insert.bind(7, row.start)
                    try insert.bind(8, row.end)
                    try insert.bind(9, borrowedText: slice(row.status))
                    try insert.bind(10, borrowedBlob: slice(row.record))
                    _ = try insert.step()
                    if db.changes > 0, let correlationID = row.correlationID, seen.insert(correlationID).inserted {
                        touched.append(correlationID)
                    }
                }
            }
            guard !touched.isEmpty else { return }
            version += 1
            for correlationID in touched {
                try mark.bind(1, correlationID)
                try mark.bind(2, version)
                try mark.run()
            }
        }
    }

    /// Writes summaries and clears the dirty marks whose version did not move, in one transaction.
    func upsert(_ summaries: [FlowSummary], clearing: [DirtyFlow]) throws {
        try db.transaction { try writeSummaries(summaries, clearing: clearing) }
    }

    /// Writes summaries (with their type and service rows) and clears dirty marks; the caller
    /// holds the transaction.
    func writeSummaries(_ summaries: [FlowSummary], clearing: [DirtyFlow]) throws {
        let upsert = try db.cached(Self.upsertSummary)
        let clear = try db.cached(Self.clearDirty)
        for summary in summaries {
            try upsert.bind(1, summary.correlationID)
            try upsert.bind(2, summary.status.rawValue)
            try upsert.bind(3, summary.outcome)
            try upsert.bind(4, summary.startedAtUnixNano)
            try upsert.bind(5, summary.lastActivityAtUnixNano)
            try upsert.bind(6, Int64(summary.stepCount))
            try upsert.bind(7, Int64(summary.compensationCount))
            try upsert.bind(8, Int64(summary.errorCount))
            try upsert.bind(9, summary.waitingFor)
            try upsert.bind(10, StringList.encode(summary.services))
            try upsert.bind(11, StringList.encode(summary.types))
            try upsert.run()
            try writeIndexRows(summary)
        }
        for dirty in clearing {
            try clear.bind(1, dirty.correlationID)
            try clear.bind(2, dirty.version)
            try clear.run()
        }
    }
}
