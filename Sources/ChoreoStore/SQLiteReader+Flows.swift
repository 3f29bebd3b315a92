import ChoreoModel

extension SQLiteReader {
    /// Matching trails, most recent activity first.
    func flowTrails(_ query: FlowQuery) throws -> [FlowTrail] {
        let filter = FlowFilterSQL(query)
        let condition = filter.fromWhere + (filter.clauses.isEmpty ? " WHERE" : " AND") + " s.trail IS NOT NULL"
        let statement = try db.cached("SELECT s.correlation_id, s.trail\(condition) ORDER BY \(filter.order) LIMIT ?")
        defer { statement.reset() }
        try statement.bind(try filter.bind(statement), Int64(max(0, query.limit)))
        var result: [FlowTrail] = []
        while try statement.step() {
            result.append(FlowTrail(correlationID: statement.text(0) ?? "", steps: try FlowTrail.Step.decode(statement.blob(1))))
        }
        return result
    }

    /// Flows per status among those matching the query's other filters.
    func flowCounts(_ query: FlowQuery) throws -> [FlowStatus: Int] {
        let filter = FlowFilterSQL(query, includeStatuses: false)
        let statement = try db.cached("SELECT s.status, count(*)\(filter.fromWhere) GROUP BY s.status")
        defer { statement.reset() }
        _ = try filter.bind(statement)
        var counts: [FlowStatus: Int] = [:]
        while try statement.step() {
            if let status = statement.text(0).flatMap(FlowStatus.init(rawValue:)) { counts[status] = Int(statement.int64(1)) }
        }
        return counts
    }

    /// Traces with a matching span, newest matching span first; at most
    /// ``TraceQuery/scanLimit`` candidate spans are examined.
    func traceSummaries(_ query: TraceQuery) throws -> [TraceSummary] {
        var clauses: [String] = []
        var texts: [(Int32, String)] = []
        var numbers: [(Int32, UInt64)] = []
        var index: Int32 = 1
        if let service = query.service {
            clauses.append("service = ?\(index)")
            texts.append((index, service))
            index += 1
        }
        if let name = query.name {
            clauses.append("instr(name, ?\(index)) > 0")
            texts.append((index, name))
            index += 1
        }
        if query.errorsOnly { clauses.append("status = 'error'") }
        if let since = query.since {
            clauses.append("start_ns >= ?\(index)")
            numbers.append((index, since))
            index += 1
        }
        if let until = query.until {
            clauses.append("start_ns <= ?\(index)")
            numbers.append((index, until))
            index += 1
        }
        let condition = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
        let statement = try db.cached("SELECT trace_id, record FROM spans\(condition) ORDER BY start_ns DESC LIMIT ?\(index)")
        defer { statement.reset() }
        for (i, text) in texts { try statement.bind(i, text) }
        for (i, number) in numbers { try statement.bind(i, number) }
        try statement.bind(index, Int64(TraceQuery.scanLimit))
        var found: [TraceID] = []
        var seen: Set<TraceID> = []
        while found.count < max(0, query.limit), try statement.step() {
            let span = try SpanRecord(binaryEncoded: statement.blob(1))
            guard !seen.contains(span.traceID), query.attributes.isEmpty || query.matches(span) else { continue }
            seen.insert(span.traceID)
            found.append(span.traceID)
        }
        statement.reset()
        return try found.compactMap { try TraceSummary(traceID: $0, spans: spans(traceID: $0)) }
    }
}
