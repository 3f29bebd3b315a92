import ChoreoModel
import ChoreoStore
import NIOCore
import PostgresNIO

extension PostgresSpanStore: ServiceCatalog {
    /// Distinct services in one recursive query, each step one seek in `spans_by_service`.
    public func serviceNames() async throws -> [String] {
        let sql = """
            WITH RECURSIVE found AS (
                (SELECT service FROM \(table("spans")) ORDER BY service LIMIT 1)
                UNION ALL
                SELECT next.service FROM found, LATERAL (
                    SELECT service FROM \(table("spans")) WHERE service > found.service ORDER BY service LIMIT 1
                ) next
            )
            SELECT service FROM found
            """
        return try await perform("listing services") { [self] in
            try await query(PostgresQuery(unsafeSQL: sql)).map { try $0.decode(String.self) }.sorted()
        }
    }

    /// Distinct (name, kind) of `service` in one recursive query over `spans_by_operation`.
    public func operations(service: String, kind: SpanKind?) async throws -> [ServiceOperation] {
        let sql = """
            WITH RECURSIVE found AS (
                (SELECT name, kind FROM \(table("spans")) WHERE service = $1 ORDER BY name, kind LIMIT 1)
                UNION ALL
                SELECT next.name, next.kind FROM found, LATERAL (
                    SELECT name, kind FROM \(table("spans")) WHERE service = $1 AND (name, kind) > (found.name, found.kind)
                    ORDER BY name, kind LIMIT 1
                ) next
            )
            SELECT name, kind FROM found
            """
        let rows = try await perform("listing the operations of service \(service)") { [self] in
            try await query(PostgresQuery(unsafeSQL: sql, binds: Self.binds(PostgresText.clean(service)))).map {
                try $0.decode((String, String).self)
            }
        }
        return
            rows
            .map { ServiceOperation(name: $0.0, kind: SpanKind(rawValue: $0.1) ?? .unspecified) }
            .filter { kind == nil || $0.kind == kind }
            .sorted()
    }

    /// Traces with a span matching `search`, newest matching span first, through
    /// `spans_by_service`; records are decoded only when tags must be checked.
    public func traceIDs(_ search: SpanSearch) async throws -> [TraceID] {
        var binds = Self.binds(PostgresText.clean(search.service))
        var clauses = ["service = $1"]
        if let operation = search.operation {
            binds.append(PostgresText.clean(operation))
            clauses.append("name = $\(binds.count)")
        }
        for (clause, value) in [
            ("start_ns >=", search.since), ("start_ns <=", search.until),
            ("end_ns - start_ns >=", search.minDurationNanos), ("end_ns - start_ns <=", search.maxDurationNanos),
        ] {
            guard let value else { continue }
            binds.append(Self.storedNanos(value))
            clauses.append("\(clause) $\(binds.count)")
        }
        binds.append(Int64(TraceQuery.scanLimit))
        let sql = """
            SELECT trace_id, record FROM \(table("spans")) WHERE \(clauses.joined(separator: " AND "))
            ORDER BY start_ns DESC, seq DESC LIMIT $\(binds.count)
            """
        return try await perform("searching traces of service \(search.service)") { [self, binds] in
            var found: [TraceID] = []
            var seen: Set<TraceID> = []
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            for try await row in rows {
                guard found.count < max(0, search.limit) else { break }
                let traceID: TraceID
                if search.tags.isEmpty {
                    let bytes = try row.decode((ByteBuffer, ByteBuffer).self).0
                    guard let id = TraceID(bytes: bytes.readableBytesView) else { continue }
                    traceID = id
                } else {
                    let span = try Self.record(row, column: 1)
                    guard search.matches(span) else { continue }
                    traceID = span.traceID
                }
                if seen.insert(traceID).inserted { found.append(traceID) }
            }
            return found
        }
    }
}
