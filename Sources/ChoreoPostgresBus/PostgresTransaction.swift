import Logging
import PostgresNIO

/// The database transaction a ``PostgresBus`` handler runs in: bound as a task local while a
/// handler runs, so that everything the handler does commits together with the delivery's
/// acknowledgement, or not at all (a transactional outbox):
///
/// - the handler's publishes through the same bus are inserted in this transaction;
/// - a service's state (``PostgresStateStore``) and any other table the caller writes with
///   ``execute(_:)`` change in it;
/// - the delivery is deleted (acknowledged) in it.
///
/// If the handler throws, everything it did is rolled back and only the retry (or the dead
/// letter) is committed. If the process dies first, the server aborts the transaction: nothing
/// happened, and the delivery is handed out again.
public struct PostgresTransaction: Sendable {
    /// The connection holding the open transaction; valid only while the handler runs.
    let connection: PostgresConnection
    /// The schema of the bus that opened it (a publish to another bus does not use it).
    let schema: String
    let logger: Logger

    /// The transaction of the handler running in the current task, if any.
    @TaskLocal public static var current: PostgresTransaction?

    /// Runs a parameterised statement inside the transaction and returns its rows, collected.
    @discardableResult
    public func execute(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.run(query, logger: logger)
    }
}
