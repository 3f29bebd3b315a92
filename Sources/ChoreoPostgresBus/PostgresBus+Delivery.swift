import ChoreoInstrumentation
import Foundation
import PostgresNIO

extension PostgresBus {
    /// Claims the oldest visible delivery of the subscription and handles it in one
    /// transaction (see the type's documentation). Returns false when none was visible.
    func handleNext(_ subscription: Subscription) async throws -> Bool {
        let s = configuration.schema
        return try await client.withConnection { connection in
            try await connection.run("BEGIN", logger: logger)
            do {
                let rows = try await connection.run(
                    """
                    SELECT id, headers, body, attempt FROM \(unescaped: s).deliveries
                    WHERE topic = \(subscription.topic) AND consumer_group = \(subscription.group) AND visible_at <= clock_timestamp()
                    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """, logger: logger
                )
                guard let row = rows.first else {
                    try await connection.run("COMMIT", logger: logger)
                    return false
                }
                let (id, headers, body, attempt) = try row.decode((Int64, String, Data, Int32).self)
                let message = Message(topic: subscription.topic, headers: try Self.decode(headers), body: Array(body))
                let delivery = Delivery(message: message, attempt: Int(attempt), maxAttempts: configuration.maxAttempts)
                try await connection.run("SAVEPOINT handler", logger: logger)
                let transaction = PostgresTransaction(connection: connection, schema: s, logger: logger)
                do {
                    try await PostgresTransaction.$current.withValue(transaction) {
                        try await subscription.handler(delivery)
                    }
                    try await acknowledge(id: id, delivery, group: subscription.group, on: connection)
                } catch {
                    if Task.isCancelled { throw error }
                    try await connection.run("ROLLBACK TO SAVEPOINT handler", logger: logger)
                    try await fail(id: id, delivery, group: subscription.group, error: error, on: connection)
                }
                try await connection.run("COMMIT", logger: logger)
                return true
            } catch {
                _ = try? await connection.run("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// Deletes the delivery; or, if the message asks for a duplicate to this group, makes it
    /// visible once more with the next attempt number and without the request.
    private func acknowledge(id: Int64, _ delivery: Delivery, group: String, on connection: PostgresConnection) async throws {
        let s = configuration.schema
        if let remaining = InMemoryBus.duplicateHeaders(delivery.message.headers, for: group) {
            let headers = try Self.encode(remaining)
            try await connection.run(
                """
                UPDATE \(unescaped: s).deliveries SET headers = \(headers), attempt = attempt + 1
                WHERE id = \(id)
                """, logger: logger
            )
            try await connection.run("SELECT pg_notify(\(channel), \(delivery.message.topic))::text", logger: logger)
            state.withLock {
                $0.statistics.handled += 1
                $0.statistics.duplicated += 1
            }
            return
        }
        try await connection.run("DELETE FROM \(unescaped: s).deliveries WHERE id = \(id)", logger: logger)
        state.withLock { $0.statistics.handled += 1 }
    }

    /// After a failed attempt: schedules the retry after the backoff, or moves the delivery to
    /// the dead letters after the last attempt.
    private func fail(id: Int64, _ delivery: Delivery, group: String, error: any Error, on connection: PostgresConnection) async throws {
        let s = configuration.schema
        if delivery.isLastAttempt {
            let type = String(describing: Swift.type(of: error))
            let description = String(describing: error)
            try await connection.run(
                """
                WITH gone AS (DELETE FROM \(unescaped: s).deliveries WHERE id = \(id) RETURNING topic, consumer_group, headers, body, attempt)
                INSERT INTO \(unescaped: s).dead_letters (topic, consumer_group, headers, body, attempts, error_type, error_description)
                SELECT topic, consumer_group, headers, body, attempt, \(type), \(description) FROM gone
                """, logger: logger
            )
            state.withLock { $0.statistics.deadLettered += 1 }
        } else {
            let delay = configuration.backoff(afterAttempt: delivery.attempt).seconds
            try await connection.run(
                """
                UPDATE \(unescaped: s).deliveries SET attempt = attempt + 1,
                    visible_at = clock_timestamp() + make_interval(secs => \(delay))
                WHERE id = \(id)
                """, logger: logger
            )
            state.withLock { $0.statistics.retried += 1 }
        }
    }
}
