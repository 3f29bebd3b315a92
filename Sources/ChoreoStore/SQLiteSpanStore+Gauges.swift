extension SQLiteSpanStore {
    public func stuckFlowGroups() async throws -> [StuckFlowGroup] {
        try await reader.run { try $0.stuckFlowGroups() }
    }
}
