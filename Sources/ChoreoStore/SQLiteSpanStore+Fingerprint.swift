extension SQLiteSpanStore {
    /// The count, largest and summed row ids of the flow's spans: one pass over the flow's
    /// entries in the correlation index, no span decoded.
    public func flowFingerprint(correlationID: String) async throws -> FlowSpansFingerprint? {
        try await reader.run { try $0.flowFingerprint(correlationID: correlationID) }
    }
}

extension SQLiteReader {
    func flowFingerprint(correlationID: String) throws -> FlowSpansFingerprint {
        let query = try db.cached("SELECT count(*), coalesce(max(rowid), 0), coalesce(sum(rowid), 0) FROM spans WHERE correlation_id = ?1")
        defer { query.reset() }
        try query.bind(1, correlationID)
        guard try query.step() else { return FlowSpansFingerprint(count: 0, largestRow: 0, rowSum: 0) }
        return FlowSpansFingerprint(count: query.int64(0), largestRow: query.int64(1), rowSum: query.int64(2))
    }
}
