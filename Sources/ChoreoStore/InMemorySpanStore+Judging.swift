extension InMemorySpanStore {
    public func judging() async throws -> [UInt8]? { judgingSettings }

    public func saveJudging(_ settings: [UInt8]) async throws { judgingSettings = settings }
}
