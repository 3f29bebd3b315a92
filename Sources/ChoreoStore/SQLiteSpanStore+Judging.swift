import ChoreoModel

extension SQLiteSpanStore {
    static let judgingKey = "flow_judging"

    public func judging() async throws -> [UInt8]? {
        try await reader.run { try $0.setting(Self.judgingKey) }
    }

    public func saveJudging(_ settings: [UInt8]) async throws {
        try await writer.run { try $0.saveSetting(Self.judgingKey, settings) }
    }
}

extension SQLiteReader {
    /// The value of a setting, or nil.
    func setting(_ key: String) throws -> [UInt8]? {
        let statement = try db.cached("SELECT value FROM settings WHERE key = ?1")
        defer { statement.reset() }
        try statement.bind(1, key)
        guard try statement.step() else { return nil }
        return Array(statement.blob(0))
    }
}

extension SQLiteWriter {
    /// Sets a setting, in its own transaction.
    func saveSetting(_ key: String, _ value: [UInt8]) throws {
        let statement = try db.cached("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        defer { statement.reset() }
        try statement.bind(1, key)
        try value.withUnsafeBytes { try statement.bind(2, blob: $0) }
        try statement.run()
    }
}
