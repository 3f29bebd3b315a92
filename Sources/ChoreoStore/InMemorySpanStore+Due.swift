extension InMemorySpanStore {
    public func dueFlows(at unixNano: UInt64, limit: Int) async throws -> [String] {
        dues.filter { $0.value <= unixNano }.sorted { ($0.value, $0.key) < ($1.value, $1.key) }
            .prefix(max(0, limit)).map(\.key)
    }
}
