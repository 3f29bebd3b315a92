extension InMemorySpanStore {
    public func dueFlows(at unixNano: UInt64, limit: Int) async throws -> [String] {
        dues.filter { $0.value <= unixNano }.sorted { ($0.value, $0.key) < ($1.value, $1.key) }
            .prefix(max(0, limit)).map(\.key)
    }
}

extension InMemorySpanStore {
    public func claimDirtyFlows(at unixNano: UInt64, limit: Int, lease: Duration) async throws -> [DirtyFlow] {
        let candidates = dirty.sorted { $0.value.sequence < $1.value.sequence }.map(\.key)
        let (claim, ids) = claims.take(candidates, at: unixNano, limit: max(0, limit), lease: lease)
        return ids.map { DirtyFlow(correlationID: $0, version: dirty[$0]?.version ?? 0, claim: claim) }
    }

    public func releaseClaims(_ marks: [DirtyFlow]) async throws { claims.release(marks) }

    /// Due flows are claimed in memory only (one process indexes this store); a flow that is
    /// also dirty comes with its mark, which the write then clears.
    public func claimDueFlows(at unixNano: UInt64, limit: Int, lease: Duration) async throws -> [DirtyFlow] {
        let candidates = dues.filter { $0.value <= unixNano }.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key)
        let (claim, ids) = claims.take(candidates, at: unixNano, limit: max(0, limit), lease: lease)
        return ids.map { DirtyFlow(correlationID: $0, version: dirty[$0]?.version ?? 0, claim: claim) }
    }
}
