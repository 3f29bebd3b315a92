import ChoreoInstrumentation
import ChoreoModel
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// A durable publish/subscribe bus in PostgreSQL, for services in separate processes, with
/// the same contract as ``InMemoryBus``: at-least-once delivery with acknowledgements, retries
/// with exponential backoff up to a maximum of attempts, then a dead-letter table.
///
/// Design (tables in ``Configuration/schema``, see `schemaStatements`):
/// - **Fan-out at publish.** A consumer group's subscription to a topic is a durable row.
///   ``publish(_:)`` inserts one `deliveries` row per subscribed group, so each group has its
///   own queue and a group whose processes are down keeps its backlog until they return. A
///   message to a topic nobody ever subscribed to is not stored (``hasSubscribers(topic:)``).
/// - **Claim.** A consumer takes the oldest visible row of its topic and group with
///   `FOR UPDATE SKIP LOCKED` inside a transaction: competing consumers (threads or
///   processes of the same group) never get the same row, and never wait for each other.
/// - **Lease.** The open transaction's row lock is the lease. When a consumer process dies
///   mid-handling, the server aborts its transaction as its connection drops, and the row is
///   claimable again at once (redelivery after a crash, same attempt number). A consumer that
///   hangs is cut off by `idle_in_transaction_session_timeout` = ``Configuration/leaseTimeout``.
/// - **Transactional outbox.** The handler runs inside the claim's transaction
///   (``PostgresTransaction``): its publishes, its state changes and the acknowledgement (the
///   row's deletion) commit together. A handler that throws is rolled back to a savepoint; the
///   row's attempt is incremented and `visible_at` pushed back by the backoff, or, after the
///   last attempt, it moves to `dead_letters`.
/// - **Wake-ups.** Every publish sends `NOTIFY <schema>_bus, '<topic>'` (delivered at commit);
///   each process LISTENs on one connection and wakes its idle consumers of that topic. A poll
///   every ``Configuration/pollInterval`` catches retries that became due and anything missed.
/// - Headers are stored as JSON text and restored exactly; the body as `bytea`.
///
/// Call ``run()`` from a task you own; ``publish(_:)`` and ``subscribe(topic:group:handler:)``
/// wait until it has connected and created the tables. Backoff is measured by the database's
/// clock, not an injected one.
public final class PostgresBus: MessageBus, Sendable {
    /// The bus's connection and tuning.
    public let configuration: Configuration
    /// The connection pool; run by ``run()``.
    let client: PostgresClient
    let logger: Logger
    let ready = ReadyGate()
    let wakeups = Wakeups()
    let events: AsyncStream<Subscription>
    let eventSink: AsyncStream<Subscription>.Continuation

    struct State {
        var started = false
        /// Topics with at least one subscribed group (in the database), refreshed every poll.
        var routedTopics: Set<String> = []
        var statistics = Statistics()
        /// Groups whose consumers in this process hold off (``pause(group:)``).
        var paused: Set<String> = []
    }

    let state = Mutex(State())

    /// Creates a bus; nothing connects before ``run()``.
    ///
    /// - Throws: ``BusError`` `invalidConfiguration` if a value is out of range.
    public init(configuration: Configuration, logger: Logger? = nil) throws {
        try configuration.validate()
        self.configuration = configuration
        var logger = logger ?? Logger(label: "choreo.postgres-bus", factory: { _ in SwiftLogNoOpLogHandler() })
        if let level = ProcessInfo.processInfo.environment["CHOREO_POSTGRES_BUS_LOG"].flatMap(Logger.Level.init(rawValue:)) {
            // Diagnostics on standard error: CHOREO_POSTGRES_BUS_LOG=debug|info|warning.
            logger = Logger(label: "choreo.postgres-bus", factory: { StreamLogHandler.standardError(label: $0) })
            logger.logLevel = level
        } else if logger.logLevel < .warning {
            logger.logLevel = .warning
        }
        self.logger = logger
        client = PostgresClient(configuration: configuration.client, backgroundLogger: logger)
        (events, eventSink) = AsyncStream.makeStream(of: Subscription.self)
    }

    /// Stores the message for every group subscribed to its topic, and notifies their consumers.
    ///
    /// Inside a handler of this bus, the message is part of the handler's transaction: it is
    /// delivered only if the handler succeeds. Outside, it is committed before this returns.
    public func publish(_ message: Message) async throws {
        try await publish(message, after: .zero)
    }

    /// Publishes a message that becomes visible to consumers `delay` from now: a durable timer.
    public func publish(_ message: Message, after delay: Duration) async throws {
        try await ready.wait()
        let headers = try Self.encode(message.headers)
        let s = configuration.schema
        let query: PostgresQuery = """
            WITH inserted AS (
                INSERT INTO \(unescaped: s).deliveries (topic, consumer_group, headers, body, visible_at)
                SELECT \(message.topic), consumer_group, \(headers), \(ByteBuffer(bytes: message.body)),
                       clock_timestamp() + make_interval(secs => \(max(0, delay.seconds)))
                FROM \(unescaped: s).subscriptions WHERE topic = \(message.topic)
                RETURNING 1)
            SELECT (SELECT count(*) FROM inserted)::int8, pg_notify(\(channel), \(message.topic))::text
            """
        let rows = try await execute(query)
        var count: Int64 = 0
        if let row = rows.first { (count, _) = try row.decode((Int64, String).self) }
        state.withLock { state in
            state.statistics.published += 1
            if count == 0 { state.statistics.unrouted += 1 }
        }
    }

    /// Subscribes a consumer group to a topic: records the subscription durably (from now on,
    /// messages to the topic are kept for the group) and starts ``Configuration/concurrencyPerSubscription``
    /// consumers in this process. Subscribing the same group again adds competing consumers.
    public func subscribe(topic: String, group: String, handler: @escaping MessageHandler) async throws {
        try await ready.wait()
        _ = try await client.query(
            """
            INSERT INTO \(unescaped: configuration.schema).subscriptions (topic, consumer_group)
            VALUES (\(topic), \(group)) ON CONFLICT DO NOTHING
            """, logger: logger
        ).collect()
        state.withLock { _ = $0.routedTopics.insert(topic) }
        eventSink.yield(Subscription(topic: topic, group: group, handler: handler))
    }

    /// True when a group has subscribed to `topic` (as of the last poll, or this process's own
    /// subscriptions), so a message published to it now is stored.
    public func hasSubscribers(topic: String) -> Bool {
        state.withLock { $0.routedTopics.contains(topic) }
    }

    /// Runs `query` in the current handler's transaction if there is one for this bus, else on the pool.
    @discardableResult
    public func execute(_ query: PostgresQuery) async throws -> [PostgresRow] {
        if let transaction = PostgresTransaction.current, transaction.schema == configuration.schema {
            return try await transaction.execute(query)
        }
        try await ready.wait()
        return try await client.query(query, logger: logger).collect()
    }

    /// The schema's name, for callers that keep their own tables next to the bus's.
    public var schema: String { configuration.schema }

    static func encode(_ headers: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(headers), as: UTF8.self)
    }

    static func decode(_ headers: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(headers.utf8))
    }
}
