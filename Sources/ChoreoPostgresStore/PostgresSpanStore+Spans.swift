import ChoreoModel
import ChoreoStore
import NIOCore
import PostgresNIO

extension PostgresSpanStore {
    public func spans(traceID: TraceID) async throws -> [SpanRecord] {
        try await perform("reading trace \(traceID.hex)") { [self] in
            let rows = try await query(
                PostgresQuery(
                    unsafeSQL: "SELECT record FROM \(table("spans")) WHERE trace_id = $1 ORDER BY start_ns, seq",
                    binds: Self.binds(ByteBuffer(bytes: traceID.bytes))))
            return try rows.map { try Self.record($0, column: 0) }
        }
    }

    public func spans(correlationID: String) async throws -> [SpanRecord] {
        guard !correlationID.isEmpty else { return [] }
        return try await perform("reading the spans of flow \(correlationID)") { [self] in
            let rows = try await query(
                PostgresQuery(
                    unsafeSQL: "SELECT record FROM \(table("spans")) WHERE correlation_id = $1 ORDER BY start_ns, seq",
                    binds: Self.binds(PostgresText.clean(correlationID))))
            return try rows.map { try Self.record($0, column: 0) }
        }
    }

    /// One statement for every id (bound as one array).
    public func spans(correlationIDs: [String]) async throws -> [String: [SpanRecord]] {
        let ids = Array(Set(correlationIDs.filter { !$0.isEmpty }.map { PostgresText.clean($0) }))
        guard !ids.isEmpty else { return [:] }
        return try await perform("reading the spans of \(ids.count) flows") { [self] in
            let rows = try await query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT correlation_id, record FROM \(table("spans")) WHERE correlation_id = ANY($1)
                        ORDER BY correlation_id, start_ns, seq
                        """, binds: Self.binds(ids)))
            var result: [String: [SpanRecord]] = [:]
            for row in rows {
                let (id, record) = try row.decode((String, ByteBuffer).self)
                result[id, default: []].append(try record.withUnsafeReadableBytes { try SpanRecord(binaryEncoded: $0) })
            }
            return result
        }
    }

    public func spanCount() async throws -> Int {
        try await perform("counting spans") { [self] in
            let rows = try await query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table("spans"))"))
            return Int(try rows.first?.decode(Int64.self) ?? 0)
        }
    }

    /// Traces with a matching span, newest matching span first; at most
    /// ``TraceQuery/scanLimit`` candidate spans are examined (attributes are checked on the
    /// decoded records, as SQLite does).
    public func traceSummaries(_ query: TraceQuery) async throws -> [TraceSummary] {
        var clauses: [String] = []
        var binds = PostgresBindings()
        if let service = query.service {
            binds.append(PostgresText.clean(service))
            clauses.append("service = $\(binds.count)")
        }
        if let name = query.name {
            binds.append(PostgresText.clean(name))
            clauses.append("strpos(name, $\(binds.count)) > 0")
        }
        if query.errorsOnly { clauses.append("status = 'error'") }
        if let since = query.since {
            binds.append(Self.storedNanos(since))
            clauses.append("start_ns >= $\(binds.count)")
        }
        if let until = query.until {
            binds.append(Self.storedNanos(until))
            clauses.append("start_ns <= $\(binds.count)")
        }
        binds.append(Int64(TraceQuery.scanLimit))
        let condition = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
        let sql = "SELECT record FROM \(table("spans"))\(condition) ORDER BY start_ns DESC, seq DESC LIMIT $\(binds.count)"
        let found = try await perform("searching traces") { [self, binds] () -> [TraceID] in
            var found: [TraceID] = []
            var seen: Set<TraceID> = []
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            for try await row in rows {
                guard found.count < max(0, query.limit) else { break }
                let span = try Self.record(row, column: 0)
                guard !seen.contains(span.traceID), query.attributes.isEmpty || query.matches(span) else { continue }
                seen.insert(span.traceID)
                found.append(span.traceID)
            }
            return found
        }
        var result: [TraceSummary] = []
        for id in found {
            if let summary = TraceSummary(traceID: id, spans: try await spans(traceID: id)) { result.append(summary) }
        }
        return result
    }

    /// The span stored in a `bytea` column.
    static func record(_ row: PostgresRow, column: Int) throws -> SpanRecord {
        var cells = row.makeIterator()
        for _ in 0..<column { _ = cells.next() }
        guard let cell = cells.next() else { throw StoreError(.corruptRecord, "a span row has no column \(column)") }
        return try cell.decode(ByteBuffer.self).withUnsafeReadableBytes { try SpanRecord(binaryEncoded: $0) }
    }
}
