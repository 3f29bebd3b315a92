/// Tuning of ``SQLiteSpanStore``.
public struct SQLiteOptions: Hashable, Sendable {
    /// SQLite's `synchronous` setting in WAL mode.
    public enum Synchronous: String, Hashable, Sendable {
        /// Every commit is fsynced: a committed append survives power loss (the default).
        case full = "FULL"
        /// Commits survive a crash of the process; the last ones may be lost on power loss.
        case normal = "NORMAL"
    }

    /// Durability of commits. Default ``Synchronous/full``.
    public var synchronous: Synchronous
    /// How long a statement waits for a lock held by another connection, in milliseconds.
    public var busyTimeoutMillis: Int32
    /// How many read connections serve queries concurrently (at least 1).
    public var readConnections: Int

    /// Creates options.
    public init(synchronous: Synchronous = .full, busyTimeoutMillis: Int32 = 5_000, readConnections: Int = 2) {
        self.synchronous = synchronous
        self.busyTimeoutMillis = busyTimeoutMillis
        self.readConnections = readConnections
    }
}
