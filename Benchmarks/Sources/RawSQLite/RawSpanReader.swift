internal import CSQLiteBench

/// Reads back the rows a ``SQLiteSpanStore`` wrote, so the baseline inserts exactly those bytes.
public enum RawSpanReader {
    /// Every row of the `spans` table of the database at `path`, in insertion (rowid) order.
    public static func rows(path: String) throws -> RawRows {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else {
            sqlite3_close_v2(db)
            throw RawSQLiteError(code: SQLITE_CANTOPEN, message: "cannot open \(path) to read its spans")
        }
        defer { sqlite3_close_v2(db) }
        let sql = """
            SELECT trace_id, span_id, correlation_id, service, name, kind, start_ns, end_ns, status, record
            FROM spans ORDER BY rowid
            """
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw RawSQLiteError(code: rc, message: String(cString: sqlite3_errmsg(db)))
        }
        defer { sqlite3_finalize(statement) }
        var rows = RawRows()
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else {
                throw RawSQLiteError(code: step, message: String(cString: sqlite3_errmsg(db)))
            }
            let correlation: String? = sqlite3_column_type(statement, 2) == SQLITE_NULL ? nil : text(statement, 2)
            rows.append(
                traceID: blob(statement, 0), spanID: blob(statement, 1), correlationID: correlation,
                service: Array(text(statement, 3).utf8), name: Array(text(statement, 4).utf8),
                kind: Array(text(statement, 5).utf8), status: Array(text(statement, 8).utf8),
                record: blob(statement, 9),
                start: sqlite3_column_int64(statement, 6), end: sqlite3_column_int64(statement, 7)
            )
        }
        return rows
    }

    private static func blob(_ statement: OpaquePointer, _ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let base = sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }

    private static func text(_ statement: OpaquePointer, _ column: Int32) -> String {
        guard let base = sqlite3_column_text(statement, column) else { return "" }
        return String(cString: base)
    }
}

extension RawSpanReader {
    /// The number of rows in the `spans` table of the database at `path`.
    public static func count(path: String) throws -> Int {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else {
            sqlite3_close_v2(db)
            throw RawSQLiteError(code: SQLITE_CANTOPEN, message: "cannot open \(path) to count its spans")
        }
        defer { sqlite3_close_v2(db) }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, "SELECT count(*) FROM spans", -1, &statement, nil) == SQLITE_OK, let statement else {
            throw RawSQLiteError(code: sqlite3_errcode(db), message: String(cString: sqlite3_errmsg(db)))
        }
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else {
            throw RawSQLiteError(code: sqlite3_errcode(db), message: String(cString: sqlite3_errmsg(db)))
        }
        return Int(sqlite3_column_int64(statement, 0))
    }
}
