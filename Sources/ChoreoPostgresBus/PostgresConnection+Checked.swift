import ChoreoInstrumentation
import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs a statement and collects its rows; fails at once on a connection that is already
    /// closed (the server ended it, e.g. after a crash or a lease timeout), where a query would
    /// otherwise never be answered.
    @discardableResult
    func run(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        guard !isClosed else {
            throw BusError(.unavailable, "the database connection was closed (server restart, terminated backend or expired lease)")
        }
        return try await self.query(query, logger: logger).collect()
    }
}
