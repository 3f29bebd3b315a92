import PostgresNIO

extension PostgresBus {
    /// Runs `body` in one database transaction bound as ``PostgresTransaction/current``: its
    /// publishes through this bus and its ``execute(_:)`` statements commit together, or not
    /// at all if it throws. Inside a handler, `body` joins the handler's transaction instead.
    public func withTransaction<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if let current = PostgresTransaction.current, current.schema == configuration.schema {
            return try await body()
        }
        try await ready.wait()
        return try await client.withConnection { connection in
            try await connection.run("BEGIN", logger: logger)
            do {
                let transaction = PostgresTransaction(connection: connection, schema: configuration.schema, logger: logger)
                let result = try await PostgresTransaction.$current.withValue(transaction) { try await body() }
                try await connection.run("COMMIT", logger: logger)
                return result
            } catch {
                _ = try? await connection.run("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// Stops this process's consumers of `group` from taking deliveries (an outage of the
    /// service behind it); its messages wait in the database. Returns false if it was paused.
    @discardableResult
    public func pause(group: String) -> Bool {
        state.withLock { $0.paused.insert(group).inserted }
    }

    /// Lets this process's consumers of `group` take deliveries again; the backlog drains.
    @discardableResult
    public func resume(group: String) -> Bool {
        let resumed = state.withLock { $0.paused.remove(group) != nil }
        if resumed { wakeups.signal(nil) }
        return resumed
    }

    /// True while `group` is paused in this process.
    func isPaused(_ group: String) -> Bool {
        state.withLock { $0.paused.contains(group) }
    }
}
