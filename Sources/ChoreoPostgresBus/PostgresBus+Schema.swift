import PostgresNIO

extension PostgresBus {
    /// The tables of the bus, created by ``run()`` if missing (under an advisory lock, so
    /// processes starting together do not race):
    ///
    /// - `subscriptions (topic, consumer_group)`: every group that ever subscribed to a topic.
    ///   A subscription is durable: while the group's processes are down, its messages wait.
    /// - `deliveries`: one row per message *and* subscribed group, made at publish time
    ///   (fan-out), with the attempt number and `visible_at` (retries wait until then).
    ///   Acknowledging a delivery deletes its row.
    /// - `dead_letters`: deliveries that failed their last attempt, with the error.
    /// - `state (service, key, value)`: services' state, written in the same transaction as
    ///   their acknowledgement and publishes (see ``PostgresTransaction``).
    var schemaStatements: [String] {
        let s = configuration.schema
        return [
            "CREATE SCHEMA IF NOT EXISTS \(s)",
            """
            CREATE TABLE IF NOT EXISTS \(s).subscriptions (
                topic text NOT NULL, consumer_group text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (topic, consumer_group))
            """,
            """
            CREATE TABLE IF NOT EXISTS \(s).deliveries (
                id bigserial PRIMARY KEY, topic text NOT NULL, consumer_group text NOT NULL,
                headers text NOT NULL, body bytea NOT NULL, attempt integer NOT NULL DEFAULT 1,
                visible_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                published_at timestamptz NOT NULL DEFAULT clock_timestamp())
            """,
            "CREATE INDEX IF NOT EXISTS deliveries_claim ON \(s).deliveries (topic, consumer_group, visible_at, id)",
            """
            CREATE TABLE IF NOT EXISTS \(s).dead_letters (
                id bigserial PRIMARY KEY, topic text NOT NULL, consumer_group text NOT NULL,
                headers text NOT NULL, body bytea NOT NULL, attempts integer NOT NULL,
                error_type text NOT NULL, error_description text NOT NULL,
                dead_at timestamptz NOT NULL DEFAULT clock_timestamp())
            """,
            """
            CREATE TABLE IF NOT EXISTS \(s).state (
                service text NOT NULL, key text NOT NULL, value text NOT NULL, PRIMARY KEY (service, key))
            """,
        ]
    }

    /// The LISTEN/NOTIFY channel of this bus's schema; the payload is the topic.
    var channel: String { "\(configuration.schema)_bus" }

    /// Creates the tables if missing.
    func migrate() async throws {
        let statements = schemaStatements
        let lock = Int64(truncatingIfNeeded: configuration.schema.utf8.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1)) &* 1099511628211 })
        try await client.withConnection { connection in
            try await connection.run("BEGIN", logger: logger)
            do {
                try await connection.run("SELECT pg_advisory_xact_lock(\(lock))", logger: logger)
                for statement in statements {
                    try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.run("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.run("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// Deletes every subscription, delivery, dead letter and state row of this schema: a fresh
    /// start for a run. Other processes on the schema should not be running.
    public func reset() async throws {
        try await ready.wait()
        let s = configuration.schema
        _ = try await client.query(
            PostgresQuery(unsafeSQL: "TRUNCATE \(s).subscriptions, \(s).deliveries, \(s).dead_letters, \(s).state"), logger: logger
        ).collect()
        refreshedSubscriptions([])
    }
}
