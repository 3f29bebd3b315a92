import ChoreoModel
import CSQLite
import Dispatch

extension SQLiteSpanStore: SpanRetention {
    static let deleteOldSpans = """
        DELETE FROM spans WHERE rowid IN (
            SELECT rowid FROM spans WHERE start_ns < ?1 ORDER BY start_ns LIMIT ?2
        ) RETURNING correlation_id
        """
    static let flowHasSpans = "SELECT 1 FROM spans WHERE correlation_id = ?1 LIMIT 1"
    /// Sampled-out flows whose activity ended before the cutoff: their spans went when they were
    /// decided, so no span deletion names them.
    static let expiredSampledOut = """
        SELECT correlation_id FROM flow_summaries
        WHERE last_activity_ns < ?1 AND sampled_out_ns IS NOT NULL ORDER BY last_activity_ns LIMIT ?2
        """
    /// Deleting a summary deletes its type and service index rows too (schema trigger).
    static let deleteSummary = "DELETE FROM flow_summaries WHERE correlation_id = ?1"
    static let deleteDirtyMark = "DELETE FROM dirty_flows WHERE correlation_id = ?1"

    /// Deletes one chunk of expired spans and the flows they leave empty, and the entries of
    /// sampled-out flows whose activity ended before the cutoff (the error spans such a flow
    /// kept keep it until they expire), in one `BEGIN IMMEDIATE` transaction on a maintenance
    /// connection of its own.
    ///
    /// The maintenance connection waits for the write lock like any other writer (busy timeout),
    /// so a chunk interleaves with ingest commits instead of queueing behind them all.
    public func deleteSpans(startedBefore cutoffUnixNano: UInt64, limit: Int) async throws -> RetentionChunk {
        guard limit > 0 else { return RetentionChunk() }
        return try await withMaintenanceConnection { db in
            try db.transaction { try Self.deleteChunk(db, cutoff: cutoffUnixNano, limit: limit) }
        }
    }

    private static func deleteChunk(_ db: SQLiteConnection, cutoff: UInt64, limit: Int) throws -> RetentionChunk {
        let delete = try db.cached(deleteOldSpans)
        var deleted = 0
        var touched: Set<String> = []
        do {
            defer { delete.reset() }
            try delete.bind(1, cutoff)
            try delete.bind(2, Int64(limit))
            while try delete.step() {
                deleted += 1
                if let correlationID = delete.text(0) { touched.insert(correlationID) }
            }
        }
        do {
            let expired = try db.cached(expiredSampledOut)
            defer { expired.reset() }
            try expired.bind(1, cutoff)
            try expired.bind(2, Int64(limit))
            while try expired.step() {
                if let correlationID = expired.text(0) { touched.insert(correlationID) }
            }
        }
        let probe = try db.cached(flowHasSpans)
        let dropSummary = try db.cached(deleteSummary)
        let dropMark = try db.cached(deleteDirtyMark)
        var flows = 0
        for correlationID in touched.sorted() {
            try probe.bind(1, correlationID)
            let hasSpans = try probe.step()
            probe.reset()
            guard !hasSpans else { continue }
            flows += 1
            try dropSummary.bind(1, correlationID)
            try dropSummary.run()
            try dropMark.bind(1, correlationID)
            try dropMark.run()
        }
        return RetentionChunk(deletedSpans: deleted, deletedFlows: flows)
    }

    /// Runs `work` off Swift's cooperative pool on a short-lived connection to ``path``.
    private func withMaintenanceConnection<T: Sendable>(
        _ work: @escaping @Sendable (SQLiteConnection) throws -> T
    ) async throws -> T {
        let path = self.path
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(
                    with: Result {
                        let db = try SQLiteConnection(path: path, create: false)
                        defer { db.close() }
                        sqlite3_busy_timeout(db.handle, 5_000)
                        return try work(db)
                    })
            }
        }
    }
}
