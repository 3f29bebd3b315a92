import Synchronization

extension SQLiteSpanStore {
    public func dueFlows(at unixNano: UInt64, limit: Int) async throws -> [String] {
        try await reader.run { try $0.dueFlows(at: unixNano, limit: limit) }
    }
}

extension SQLiteSpanStore {
    public func claimDirtyFlows(at unixNano: UInt64, limit: Int, lease: Duration) async throws -> [DirtyFlow] {
        try await claim(at: unixNano, limit: limit, lease: lease) { reader, count in try reader.dirtyFlows(limit: count) }
    }

    public func releaseClaims(_ marks: [DirtyFlow]) async throws { claims.withLock { $0.release(marks) } }

    /// Due flows are claimed in this process only (one process indexes a SQLite file); a flow
    /// that is also dirty comes with its mark, which the write then clears.
    public func claimDueFlows(at unixNano: UInt64, limit: Int, lease: Duration) async throws -> [DirtyFlow] {
        try await claim(at: unixNano, limit: limit, lease: lease) { reader, count in try reader.dueMarks(at: unixNano, limit: count) }
    }

    /// Reads candidates (enough to skip the flows claims hold) and claims up to `limit` of them.
    private func claim(
        at unixNano: UInt64, limit: Int, lease: Duration, _ candidates: @escaping @Sendable (SQLiteReader, Int) throws -> [DirtyFlow]
    ) async throws -> [DirtyFlow] {
        _ = try writer  // a read-only store indexes nothing
        let limit = max(0, limit)
        let held = claims.withLock { $0.live(at: unixNano) }
        let found = try await reader.run { try candidates($0, limit.addingReportingOverflow(held).overflow ? .max : limit + held) }
        let versions = Dictionary(found.map { ($0.correlationID, $0.version) }, uniquingKeysWith: { first, _ in first })
        let (claim, ids) = claims.withLock { $0.take(found.map(\.correlationID), at: unixNano, limit: limit, lease: lease) }
        return ids.map { DirtyFlow(correlationID: $0, version: versions[$0] ?? 0, claim: claim) }
    }
}

extension SQLiteReader {
    /// Flows due at or before `unixNano`, earliest first, with the version of their dirty mark
    /// (0, which no mark has, when they have none).
    func dueMarks(at unixNano: UInt64, limit: Int) throws -> [DirtyFlow] {
        let query = try db.cached(
            """
            SELECT s.correlation_id, coalesce(d.version, 0) FROM flow_summaries s LEFT JOIN dirty_flows d ON d.correlation_id = s.correlation_id
            WHERE s.due_ns IS NOT NULL AND s.due_ns <= ?1 ORDER BY s.due_ns LIMIT ?2
            """)
        defer { query.reset() }
        try query.bind(1, min(unixNano, UInt64(Int64.max)))
        try query.bind(2, Int64(max(0, limit)))
        var marks: [DirtyFlow] = []
        while try query.step() { marks.append(DirtyFlow(correlationID: query.text(0) ?? "", version: query.int64(1))) }
        return marks
    }

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
