extension SQLiteSpanStore {
    public func dueFlows(at unixNano: UInt64, limit: Int) async throws -> [String] {
        try await reader.run { try $0.dueFlows(at: unixNano, limit: limit) }
    }
}

extension SQLiteReader {
    func dueFlows(at unixNano: UInt64, limit: Int) throws -> [String] {
        let query = try db.cached("SELECT correlation_id FROM flow_summaries WHERE due_ns IS NOT NULL AND due_ns <= ?1 ORDER BY due_ns LIMIT ?2")
        defer { query.reset() }
        try query.bind(1, min(unixNano, UInt64(Int64.max)))  // stored as INTEGER: nothing is later
        try query.bind(2, Int64(max(0, limit)))
        var ids: [String] = []
        while try query.step() { ids.append(query.text(0) ?? "") }
        return ids
    }
}
