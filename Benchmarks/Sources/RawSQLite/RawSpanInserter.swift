internal import CSQLiteBench

/// The baseline: inserts span rows with the SQLite C API on one connection, as the store's
/// writer does, minus everything around it (no encoding, no queue, no dispatch).
///
/// Same statements as the store (`INSERT OR IGNORE` into `spans`, then one upsert into
/// `dirty_flows` per flow the batch touched), prepared once, values bound without copying,
/// one `BEGIN IMMEDIATE … COMMIT` per batch, WAL with the given `synchronous` setting.
public final class RawSpanInserter {
    private let db: OpaquePointer
    private let insert: OpaquePointer
    private let mark: OpaquePointer
    private let begin: OpaquePointer
    private let commit: OpaquePointer
    private var version: Int64 = 0

    /// Opens an existing database (create it, and its schema, with the store first).
    public init(path: String, synchronous: String = "FULL") throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
            sqlite3_close_v2(handle)
            throw RawSQLiteError(code: SQLITE_CANTOPEN, message: "cannot open \(path)")
        }
        db = handle
        func exec(_ sql: String) throws {
            let rc = sqlite3_exec(handle, sql, nil, nil, nil)
            guard rc == SQLITE_OK else { throw RawSQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle))) }
        }
        func prepare(_ sql: String) throws -> OpaquePointer {
            var statement: OpaquePointer?
            let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
            guard rc == SQLITE_OK, let statement else {
                throw RawSQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)))
            }
            return statement
        }
        try exec("PRAGMA journal_mode = WAL")
        try exec("PRAGMA synchronous = \(synchronous)")
        insert = try prepare("""
            INSERT OR IGNORE INTO spans
                (trace_id, span_id, correlation_id, service, name, kind, start_ns, end_ns, status, record)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
            """)
        mark = try prepare("""
            INSERT INTO dirty_flows (correlation_id, version) VALUES (?1, ?2)
            ON CONFLICT (correlation_id) DO UPDATE SET version = excluded.version
            """)
        begin = try prepare("BEGIN IMMEDIATE")
        commit = try prepare("COMMIT")
    }

    deinit {
        for statement in [insert, mark, begin, commit] { sqlite3_finalize(statement) }
        sqlite3_close_v2(db)
    }

    /// Inserts one batch in one transaction and marks its flows dirty.
    public func insert(_ batch: RawRows) throws {
        try run(begin)
        var touched: [String] = []
        var seen: Set<String> = []
        try batch.bytes.withUnsafeBytes { all in
            func bind(_ index: Int32, blob range: Range<Int>) {
                sqlite3_bind_blob(insert, index, all.baseAddress! + range.lowerBound, Int32(range.count), nil)
            }
            func bind(_ index: Int32, text range: Range<Int>) {
                let base = (all.baseAddress! + range.lowerBound).assumingMemoryBound(to: CChar.self)
                sqlite3_bind_text(insert, index, base, Int32(range.count), nil)
            }
            for row in batch.rows {
                bind(1, blob: row.traceID)
                bind(2, blob: row.spanID)
                if let correlation = row.correlation { bind(3, text: correlation) } else { sqlite3_bind_null(insert, 3) }
                bind(4, text: row.service)
                bind(5, text: row.name)
                bind(6, text: row.kind)
                sqlite3_bind_int64(insert, 7, row.start)
                sqlite3_bind_int64(insert, 8, row.end)
                bind(9, text: row.status)
                bind(10, blob: row.record)
                try run(insert)
                if sqlite3_changes(db) > 0, let id = row.correlationID, seen.insert(id).inserted {
                    touched.append(id)
                }
            }
        }
        if !touched.isEmpty {
            version += 1
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            for id in touched {
                sqlite3_bind_text(mark, 1, id, -1, transient)
                sqlite3_bind_int64(mark, 2, version)
                try run(mark)
            }
        }
        try run(commit)
    }

    private func run(_ statement: OpaquePointer) throws {
        defer { sqlite3_reset(statement) }
        let rc = sqlite3_step(statement)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else {
            throw RawSQLiteError(code: rc, message: String(cString: sqlite3_errmsg(db)))
        }
    }
}
