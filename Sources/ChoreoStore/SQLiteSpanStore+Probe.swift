/// A store that can show it still commits, without changing what it holds.
///
/// The collector probes a store it saw failing before it reports ready again, since a store
/// that gets no traffic (a balancer stopped sending) would otherwise never show it recovered.
public protocol WriteProbing: Sendable {
    /// Commits a transaction that writes to the store's file and syncs it as a commit of spans
    /// would, but changes no data. Throws what a commit of spans would throw.
    func probeWrite() async throws
}

extension SQLiteSpanStore: WriteProbing {
    /// Rewrites the schema version with the value it has, on the writer connection, in one
    /// `BEGIN IMMEDIATE` transaction: the header page is written to the WAL and synced.
    public func probeWrite() async throws {
        try await writer.run { writer in
            try writer.db.transaction {
                let version = Int(try writer.db.scalar("PRAGMA user_version") ?? "") ?? 0
                // PRAGMA takes no parameters; the value is the file's own integer.
                try writer.db.execute("PRAGMA user_version = \(version)")
            }
        }
    }
}
