/// The prepared statements of one ``SQLiteConnection`` by SQL text, at most ``capacity`` of
/// them: adding one more evicts the least recently used.
///
/// An evicted statement is dropped from the cache and finalized as soon as no caller holds it
/// (``SQLiteStatement`` finalizes itself when released), so a statement still in use is never
/// finalized under its user. Eviction scans the entries, which at this size costs far less than
/// preparing the statement that caused it.
struct SQLiteStatementCache {
    /// The default cap: room for every fixed statement of a connection plus the flow queries
    /// in current use; distinct filter shapes beyond it are prepared again when they come back.
    static let defaultCapacity = 64

    /// The most statements kept.
    let capacity: Int
    private var entries: [String: Entry] = [:]
    /// A counter raised on every use; an entry's `lastUse` orders the entries by recency.
    private var tick: UInt64 = 0

    private struct Entry {
        let statement: SQLiteStatement
        var lastUse: UInt64
    }

    init(capacity: Int = defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// Statements held now.
    var count: Int { entries.count }

    /// The statement for `sql`, marked as just used; nil when it is not cached.
    mutating func statement(for sql: String) -> SQLiteStatement? {
        guard var entry = entries[sql] else { return nil }
        tick += 1
        entry.lastUse = tick
        entries[sql] = entry
        return entry.statement
    }

    /// Keeps `statement` for `sql` as the most recently used; returns the statement evicted to
    /// make room, if any.
    @discardableResult
    mutating func insert(_ statement: SQLiteStatement, for sql: String) -> SQLiteStatement? {
        var evicted: SQLiteStatement?
        if entries[sql] == nil, entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            evicted = entries.removeValue(forKey: oldest.key)?.statement
        }
        tick += 1
        entries[sql] = Entry(statement: statement, lastUse: tick)
        return evicted
    }

    /// Empties the cache, returning every statement it held.
    mutating func removeAll() -> [SQLiteStatement] {
        defer { entries = [:] }
        return entries.values.map(\.statement)
    }
}
