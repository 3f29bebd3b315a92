import ChoreoPostgresBus
import PostgresNIO

/// The truth journal and the idempotent consumers' memory in the PostgreSQL bus's schema,
/// written inside the handler's transaction (``PostgresTransaction``), so a service's record
/// of what it published commits with the publish itself and with the acknowledgement.
///
/// Table `<schema>.truth (seq, correlation_id, kind, type, service, message_id, causation_id,
/// compensates)`: kind `publish`, `end` or `unrouted`, in commit-compatible order (`seq`: a
/// handler's rows come after those of the message that caused it). Idempotency rows go to the
/// bus's `state` table under the key `inbox:<message id>`.
public struct PostgresTruthJournal: TruthJournal, IdempotencyStore {
    /// The bus whose schema and transactions the journal uses.
    public let bus: PostgresBus

    /// Creates the journal on `bus`; call ``prepare()`` once before use.
    public init(bus: PostgresBus) {
        self.bus = bus
    }

    /// Creates the truth table if missing.
    public func prepare() async throws {
        let s = bus.schema
        try await bus.execute(
            PostgresQuery(
                unsafeSQL: """
                    CREATE TABLE IF NOT EXISTS \(s).truth (
                        seq bigserial PRIMARY KEY, correlation_id text NOT NULL, kind text NOT NULL, type text NOT NULL,
                        service text NOT NULL DEFAULT '', message_id text, causation_id text, compensates text,
                        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp())
                    """))
        try await bus.execute(PostgresQuery(unsafeSQL: "CREATE INDEX IF NOT EXISTS truth_flow ON \(s).truth (correlation_id, seq)"))
    }

    /// Deletes every truth row (a fresh run on a reset bus).
    public func reset() async throws {
        try await bus.execute(PostgresQuery(unsafeSQL: "TRUNCATE \(bus.schema).truth"))
    }

    public func recordPublish(_ step: FlowStep, correlationID: String) async throws {
        try await bus.execute(
            """
            INSERT INTO \(unescaped: bus.schema).truth (correlation_id, kind, type, service, message_id, causation_id, compensates)
            VALUES (\(correlationID), 'publish', \(step.type.rawValue), \(step.service), \(step.messageID), \(step.causationID), \(step.compensates))
            """
        )
    }

    public func recordEnd(correlationID: String, outcome: OrderMessageType) async throws {
        try await bus.execute(
            "INSERT INTO \(unescaped: bus.schema).truth (correlation_id, kind, type) VALUES (\(correlationID), 'end', \(outcome.rawValue))"
        )
    }

    public func recordUnrouted(correlationID: String, type: OrderMessageType) async throws {
        try await bus.execute(
            "INSERT INTO \(unescaped: bus.schema).truth (correlation_id, kind, type) VALUES (\(correlationID), 'unrouted', \(type.rawValue))"
        )
    }

    public func firstDelivery(of id: String, to service: String) async throws -> Bool {
        let rows = try await bus.execute(
            """
            INSERT INTO \(unescaped: bus.schema).state (service, key, value) VALUES (\(service), \("inbox:" + id), '')
            ON CONFLICT DO NOTHING RETURNING 1
            """
        )
        return !rows.isEmpty
    }
}
