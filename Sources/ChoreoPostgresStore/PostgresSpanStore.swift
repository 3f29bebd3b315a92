import ChoreoModel
import ChoreoStore
import Logging
import PostgresNIO
import Synchronization

/// A ``SpanStore`` in PostgreSQL, which several collectors can share.
///
/// Design (tables in ``PostgresStoreConfiguration/schema``, see ``PostgresSchema``):
/// - **Spans** are partitioned by start time (declarative range partitions of
///   ``PostgresStoreConfiguration/partitionWidth``, created ahead of time and, for spans dated
///   elsewhere, on demand). ``append(_:)`` streams a whole batch with `COPY … FROM STDIN` and
///   marks its flows dirty in the same transaction, durable (committed) when it returns; a batch
///   holding a span already stored is stored instead by one `INSERT … SELECT FROM unnest(…) ON
///   CONFLICT DO NOTHING` of bound arrays, which marks only the flows of the rows it inserted.
/// - **Retention** drops whole partitions that ended before the cutoff (`DETACH PARTITION …
///   CONCURRENTLY`, then `DROP TABLE`), and deletes in bounded chunks only within the partition
///   the cutoff cuts: no long locks on the spans table.
/// - **The flow index** (`flow_summaries`, listed by type and service through GIN indexes on
///   its arrays, and `dirty_flows`) is keyed by `correlation_id`, like every flow query, so the
///   schema can be distributed by `correlation_id` (Citus) unchanged; `dirty_flows` is a queue
///   that several collectors can claim from with `FOR UPDATE SKIP LOCKED`.
///
/// Call ``run()`` from a task you own (or use ``withStore(configuration:logger:_:)``); every
/// other call waits until it has connected and created or migrated the schema, and throws what
/// that failed with. Errors are ``StoreError``s: `database` for what the server reported or a
/// lost connection, `closed` after ``run()`` ended.
public final class PostgresSpanStore: SpanStore, SpanRetention, WriteProbing, Sendable {
    /// The connection and layout of the store.
    public let configuration: PostgresStoreConfiguration
    let client: PostgresClient
    let logger: Logger
    let ready = ReadyGate()
    let started = Mutex(false)
    /// The time ranges of the span partitions known to exist.
    let partitions = Mutex(PartitionMap())
    /// How long ``run()`` waits for the server at start-up before it fails.
    let startupTimeout: Duration
    /// How long one call may wait for its answers before it fails.
    let operationTimeout: Duration

    /// Creates a store; nothing connects before ``run()``.
    ///
    /// - Throws: ``StoreError`` `cannot_open` if a configuration value is out of range.
    public init(
        configuration: PostgresStoreConfiguration, logger: Logger? = nil, startupTimeout: Duration = .seconds(20),
        operationTimeout: Duration = .seconds(120)
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger ?? Logger(label: "choreo.postgres-store", factory: { _ in SwiftLogNoOpLogHandler() })
        self.startupTimeout = startupTimeout
        self.operationTimeout = operationTimeout
        client = PostgresClient(configuration: configuration.client, backgroundLogger: self.logger)
    }

    /// Runs the store (from a task the caller owns), starts it and calls `body` with it once
    /// the schema is ready; stops it when `body` returns or throws.
    ///
    /// - Throws: ``StoreError`` `cannot_open` when the server cannot be reached or the schema
    ///   cannot be prepared within the start-up timeout, or what `body` throws.
    public static func withStore<Result: Sendable>(
        configuration: PostgresStoreConfiguration, logger: Logger? = nil, _ body: (PostgresSpanStore) async throws -> Result
    ) async throws -> Result {
        let store = try PostgresSpanStore(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            try await store.ready.wait()
            return try await body(store)
        }
    }

    /// Connects, creates or migrates the schema, creates the partitions ahead, and keeps the
    /// connection pool running until the task is cancelled. Call it once.
    ///
    /// - Throws: ``StoreError`` `cannot_open` when the database cannot be reached or prepared
    ///   (every other call then throws it too); `CancellationError` when cancelled.
    public func run() async throws {
        let first = started.withLock { started in
            defer { started = true }
            return !started
        }
        guard first else { throw StoreError(.cannotOpen, "run() was already called on this store; create a new PostgresSpanStore") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run() }
            defer { group.cancelAll() }
            do {
                try await prepareWithin(startupTimeout)
            } catch {
                // Callers waiting for the store learn why it will not open (or that it stopped first).
                ready.open(.failure(error is CancellationError ? Self.closedStoreError : error))
                throw error
            }
            ready.open(.success(()))
            // The pool runs until this task is cancelled.
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        }
        throw CancellationError()
    }

    /// Prepares the schema, failing with a clear message when the server does not answer in time.
    private func prepareWithin(_ limit: Duration) async throws {
        do {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    if self.configuration.readOnly {
                        try await self.requireCurrentSchema()
                        try await self.refreshPartitions()
                    } else {
                        try await self.migrate()
                        try await self.refreshPartitions()
                        try await self.createPartitionsAhead(now: UnixTime.nowNanos())
                    }
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return false
                }
                defer { group.cancelAll() }
                guard try await group.next() == true else {
                    throw StoreError(.cannotOpen, "no answer within \(DurationText.format(limit))")
                }
            }
        } catch let error as CancellationError {
            throw error
        } catch {
            let reason = (error as? StoreError)?.message ?? String(reflecting: error)
            throw StoreError(
                .cannotOpen,
                "cannot prepare the span store in PostgreSQL \(configuration.displayName): \(reason). Check the URL and that PostgreSQL runs."
            )
        }
    }

    /// Waits until ``run()`` prepared the store, then runs `body`, turning PostgreSQL's errors
    /// into ``StoreError``s that say what was being done. A call that gets no answer within
    /// ``operationTimeout`` (a connection lost without notice) fails instead of hanging.
    @discardableResult
    func perform<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await ready.wait()
        let limit = operationTimeout
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let result = try await group.next(), let value = result else {
                    throw StoreError(.database, "\(what): no answer from PostgreSQL within \(DurationText.format(limit))")
                }
                return value
            }
        } catch let error as StoreError {
            throw error
        } catch let error as PSQLError {
            throw Self.storeError(error, while: what)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw StoreError(.database, "\(what): \(error)")
        }
    }

    /// The error of a call on a store that stopped before it was ready.
    static let closedStoreError = StoreError(.closed, "the span store is closed")

    /// A ``StoreError`` for what PostgreSQL or the connection reported.
    static func storeError(_ error: PSQLError, while what: String) -> StoreError {
        if error.code == .poolClosed {
            return StoreError(.closed, "the span store is closed (\(what))")
        }
        if let info = error.serverInfo {
            let state = info[.sqlState] ?? "?"
            return StoreError(.database, "\(what): PostgreSQL reported \(info[.message] ?? "an error") (SQLSTATE \(state))")
        }
        return StoreError(.database, "\(what): \(error.code) \(error.underlying.map { String(describing: $0) } ?? "")")
    }

    /// The SQLSTATE of a server error, if it is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Runs `body` in a transaction on one connection of the pool (committed when it returns,
    /// rolled back when it throws), rethrowing the error that ended it.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in
                try Self.requireOpen(connection)
                return try await connection.withTransaction(logger: logger) { try await body($0) }
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }

    /// Runs one statement on the pool and collects its rows.
    @discardableResult
    func query(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await client.withConnection { connection in
            try Self.requireOpen(connection)
            return try await connection.query(query, logger: logger).collect()
        }
    }

    /// Fails at once on a connection the server already closed (a restart, a terminated
    /// backend), where a query might otherwise never be answered; the pool replaces it.
    static func requireOpen(_ connection: PostgresConnection) throws {
        guard !connection.isClosed else {
            throw StoreError(.database, "the database connection was closed (server restart or terminated backend); retry")
        }
    }

    /// Runs one statement on `connection` (inside a transaction) and collects its rows.
    @discardableResult
    func run(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    /// The schema-qualified name of a table of this store (the schema is a checked identifier).
    func table(_ name: String) -> String { "\(configuration.schema).\(name)" }
}
