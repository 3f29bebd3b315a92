import ChoreoInstrumentation
import Foundation
import PostgresNIO

extension PostgresBus {
    /// The dead-lettered messages of every process on this schema, oldest first (at most `limit`).
    public func deadLetters(limit: Int = 1_000) async throws -> [DeadLetter] {
        let rows = try await execute(
            """
            SELECT topic, consumer_group, headers, body, attempts, error_type, error_description
            FROM \(unescaped: configuration.schema).dead_letters ORDER BY id LIMIT \(Int64(limit))
            """
        )
        return try rows.map { row in
            let (topic, group, headers, body, attempts, type, description) = try row.decode(
                (String, String, String, Data, Int32, String, String).self
            )
            return DeadLetter(
                message: Message(topic: topic, headers: try Self.decode(headers), body: Array(body)),
                group: group, attempts: Int(attempts), errorType: type, errorDescription: description
            )
        }
    }

    /// Deliveries stored and not yet acknowledged or dead-lettered, across all processes
    /// (including retries waiting for their backoff and backlogs of stopped groups).
    public func pendingDeliveries() async throws -> Int {
        let rows = try await execute("SELECT count(*)::int8 FROM \(unescaped: configuration.schema).deliveries")
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    /// The consumer groups subscribed to each topic, as recorded in the database.
    public func subscriptions() async throws -> [String: Set<String>] {
        let rows = try await execute("SELECT topic, consumer_group FROM \(unescaped: configuration.schema).subscriptions")
        var result: [String: Set<String>] = [:]
        for row in rows {
            let (topic, group) = try row.decode((String, String).self)
            result[topic, default: []].insert(group)
        }
        return result
    }
}

extension PostgresBus {
    /// True when a group has subscribed to `topic`; asks the database when this process has
    /// not seen a subscription yet (another process may have subscribed since the last poll).
    public func hasSubscribersNow(topic: String) async -> Bool {
        if hasSubscribers(topic: topic) { return true }
        try? await refreshSubscriptions()
        return hasSubscribers(topic: topic)
    }
}
