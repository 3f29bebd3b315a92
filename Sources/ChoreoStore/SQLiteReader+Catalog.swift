import ChoreoModel

extension SQLiteReader {
    /// Distinct services by skip-scan: each step is one seek in `spans_by_service`.
    func serviceNames() throws -> [String] {
        let first = try db.cached("SELECT min(service) FROM spans")
        defer { first.reset() }
        guard try first.step(), var current = first.text(0) else { return [] }
        first.reset()
        let next = try db.cached("SELECT min(service) FROM spans WHERE service > ?1")
        var result = [current]
        while true {
            defer { next.reset() }
            try next.bind(1, current)
            guard try next.step(), let found = next.text(0) else { break }
            result.append(found)
            current = found
        }
        return result
    }

    /// Distinct (name, kind) of `service` by skip-scan of `spans_by_operation`.
    func operations(service: String) throws -> [ServiceOperation] {
        let first = try db.cached("SELECT name, kind FROM spans WHERE service = ?1 ORDER BY name, kind LIMIT 1")
        defer { first.reset() }
        try first.bind(1, service)
        guard try first.step(), var name = first.text(0), var kind = first.text(1) else { return [] }
        first.reset()
        let next = try db.cached(
            "SELECT name, kind FROM spans WHERE service = ?1 AND (name, kind) > (?2, ?3) ORDER BY name, kind LIMIT 1"
        )
        var result = [ServiceOperation(name: name, kind: SpanKind(rawValue: kind) ?? .unspecified)]
        while true {
            defer { next.reset() }
            try next.bind(1, service)
            try next.bind(2, name)
            try next.bind(3, kind)
            guard try next.step(), let foundName = next.text(0), let foundKind = next.text(1) else { break }
            result.append(ServiceOperation(name: foundName, kind: SpanKind(rawValue: foundKind) ?? .unspecified))
            (name, kind) = (foundName, foundKind)
        }
        return result
    }

    /// Traces with a span matching `search`, newest matching span first, through
    /// `spans_by_service`; records are decoded only when tags must be checked.
    func traceIDs(_ search: SpanSearch) throws -> [TraceID] {
        var clauses = ["service = ?1"]
        var texts: [(Int32, String)] = [(1, search.service)]
        var numbers: [(Int32, UInt64)] = []
        var index: Int32 = 2
        func number(_ clause: String, _ value: UInt64?) {
            guard let value else { return }
            clauses.append("\(clause) ?\(index)")
            numbers.append((index, value))
            index += 1
        }
        if let operation = search.operation {
            clauses.append("name = ?\(index)")
            texts.append((index, operation))
            index += 1
        }
        number("start_ns >=", search.since)
        number("start_ns <=", search.until)
        number("end_ns - start_ns >=", search.minDurationNanos)
        number("end_ns - start_ns <=", search.maxDurationNanos)
        let statement = try db.cached(
            "SELECT trace_id, record FROM spans WHERE \(clauses.joined(separator: " AND ")) ORDER BY start_ns DESC LIMIT ?\(index)"
        )
        defer { statement.reset() }
        for (i, text) in texts { try statement.bind(i, text) }
        for (i, value) in numbers { try statement.bind(i, value) }
        try statement.bind(index, Int64(TraceQuery.scanLimit))
        var found: [TraceID] = []
        var seen: Set<TraceID> = []
        while found.count < max(0, search.limit), try statement.step() {
            let traceID: TraceID
            if search.tags.isEmpty {
                guard let id = TraceID(bytes: statement.blob(0)) else { continue }
                traceID = id
            } else {
                let span = try SpanRecord(binaryEncoded: statement.blob(1))
                guard search.matches(span) else { continue }
                traceID = span.traceID
            }
            if seen.insert(traceID).inserted { found.append(traceID) }
        }
        return found
    }
}
