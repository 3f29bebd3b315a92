import ChoreoModel
import CSQLite

/// One read connection (WAL lets it read while the writer commits). Confined to its lane's queue.
final class SQLiteReader: SQLiteResource {
    let db: SQLiteConnection

    static let summaryColumns = """
        correlation_id, status, outcome, started_ns, last_activity_ns, step_count,
        compensation_count, error_count, waiting_for, services, types
        """

    init(path: String, options: SQLiteOptions, readOnly: Bool = false) throws {
        db = try SQLiteConnection(path: path, create: false, readOnly: readOnly)
        sqlite3_busy_timeout(db.handle, options.busyTimeoutMillis)
        try db.execute("PRAGMA query_only = ON")
    }

    func close() { db.close() }

    func spans(traceID: TraceID) throws -> [SpanRecord] {
        let query = try db.cached("SELECT record FROM spans WHERE trace_id = ?1 ORDER BY start_ns, rowid")
        defer { query.reset() }
        try query.bind(1, traceID)
        return try records(query)
    }

    func spans(correlationID: String) throws -> [SpanRecord] {
        let query = try db.cached("SELECT record FROM spans WHERE correlation_id = ?1 ORDER BY start_ns, rowid")
        defer { query.reset() }
        try query.bind(1, correlationID)
        return try records(query)
    }

    /// Correlation ids read per statement by ``spans(correlationIDs:)``: one SQL text whatever
    /// the number of ids (unused slots bind NULL, which matches nothing).
    static let correlationIDsPerRead = 64
    static let spansOfFlows =
        "SELECT correlation_id, record FROM spans WHERE correlation_id IN ("
        + (1...correlationIDsPerRead).map { "?\($0)" }.joined(separator: ", ") + ") ORDER BY correlation_id, start_ns, rowid"

    func spans(correlationIDs: [String]) throws -> [String: [SpanRecord]] {
        var result: [String: [SpanRecord]] = [:]
        try forEachRow(of: db.cached(Self.spansOfFlows), correlationIDs: correlationIDs) { query in
            result[query.text(0) ?? "", default: []].append(try SpanRecord(binaryEncoded: query.blob(1)))
        }
        return result
    }

    /// Runs `query`, whose parameters 1…``correlationIDsPerRead`` are correlation ids, once per
    /// chunk of `correlationIDs` (the slots a last chunk leaves free bound to NULL), calling `row`
    /// for each result row.
    func forEachRow(of query: SQLiteStatement, correlationIDs: [String], _ row: (SQLiteStatement) throws -> Void) throws {
        var start = 0
        while start < correlationIDs.count {
            let chunk = correlationIDs[start..<min(start + Self.correlationIDsPerRead, correlationIDs.count)]
            defer { query.reset() }
            for slot in 0..<Self.correlationIDsPerRead {
                try query.bind(Int32(slot + 1), slot < chunk.count ? chunk[chunk.startIndex + slot] : nil)
            }
            while try query.step() { try row(query) }
            start += Self.correlationIDsPerRead
        }
    }

    func dirtyFlows(limit: Int) throws -> [DirtyFlow] {
        let query = try db.cached("SELECT correlation_id, version FROM dirty_flows ORDER BY rowid LIMIT ?1")
        defer { query.reset() }
        try query.bind(1, Int64(max(0, limit)))
        var result: [DirtyFlow] = []
        while try query.step() {
            result.append(DirtyFlow(correlationID: query.text(0) ?? "", version: query.int64(1)))
        }
        return result
    }

    func flowSummary(correlationID: String) throws -> FlowSummary? {
        let query = try db.cached("SELECT \(Self.summaryColumns) FROM flow_summaries WHERE correlation_id = ?1")
        defer { query.reset() }
        try query.bind(1, correlationID)
        return try query.step() ? try summary(query) : nil
    }

    /// Matching summaries, most recent activity first. Only `?` placeholders vary in the SQL text.
    func flowSummaries(_ query: FlowQuery) throws -> [FlowSummary] {
        let filter = FlowFilterSQL(query)
        let statement = try db.cached(
            "SELECT \(FlowFilterSQL.qualified(Self.summaryColumns))\(filter.fromWhere) ORDER BY \(filter.order) LIMIT ?"
        )
        defer { statement.reset() }
        try statement.bind(try filter.bind(statement), Int64(max(0, query.limit)))
        var result: [FlowSummary] = []
        while try statement.step() { result.append(try summary(statement)) }
        return result
    }

    func spanCount() throws -> Int {
        Int(try db.scalar("SELECT count(*) FROM spans") ?? "0") ?? 0
    }

    private func records(_ query: SQLiteStatement) throws -> [SpanRecord] {
        var result: [SpanRecord] = []
        while try query.step() { result.append(try SpanRecord(binaryEncoded: query.blob(0))) }
        return result
    }

    func summary(_ row: SQLiteStatement) throws -> FlowSummary {
        guard let raw = row.text(1), let status = FlowStatus(rawValue: raw) else {
            throw StoreError(.corruptRecord, "flow \(row.text(0) ?? "?") has an unknown status \(row.text(1) ?? "NULL")")
        }
        return FlowSummary(
            correlationID: row.text(0) ?? "", status: status, outcome: row.text(2),
            startedAtUnixNano: row.uint64(3), lastActivityAtUnixNano: row.uint64(4),
            stepCount: Int(row.int64(5)), compensationCount: Int(row.int64(6)), errorCount: Int(row.int64(7)),
            waitingFor: row.text(8), services: try StringList.decode(row.text(9)), types: try StringList.decode(row.text(10))
        )
    }
}
