import BenchSupport
import ChoreoStore
import RawSQLite

/// The baseline: the same rows (read back from a database the store wrote, so the same bytes,
/// record blobs included) inserted through the SQLite C API on one connection, one transaction
/// per batch, into a fresh file with the store's schema, WAL and synchronous = FULL.
enum RawIngest {
    /// Creates an empty database with the store's schema (untimed), then times the inserts.
    static func run(_ batches: [RawRows], database path: String) async throws -> Timing {
        let store = try SQLiteSpanStore(path: path)
        await store.close()
        let inserter = try RawSpanInserter(path: path, synchronous: "FULL")
        return try await Stopwatch.measure {
            for batch in batches { try inserter.insert(batch) }
        }.measurement
    }
}
