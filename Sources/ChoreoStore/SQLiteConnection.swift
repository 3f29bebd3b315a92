import CSQLite
import Foundation

/// One SQLite connection. Not thread-safe: each is confined to one serial queue (``SQLiteLane``).
final class SQLiteConnection {
    private(set) var handle: OpaquePointer?
    let path: String
    /// Prepared statements by SQL text, least recently used evicted past the cap.
    private var cache: SQLiteStatementCache

    /// Opens (and, when `create` is true, creates) the database file at `path`; `readOnly`
    /// opens it for reading only (another process may write it meanwhile, WAL). At most
    /// `statementCapacity` prepared statements are kept (``cached(_:)``).
    init(path: String, create: Bool, readOnly: Bool = false, statementCapacity: Int = SQLiteStatementCache.defaultCapacity) throws {
        self.path = path
        self.cache = SQLiteStatementCache(capacity: statementCapacity)
        var db: OpaquePointer?
        var flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        if create { flags |= SQLITE_OPEN_CREATE }
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let detail = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw StoreError(
                .cannotOpen, "cannot open the span database at '\(path)': \(detail). \(Self.hint(for: path))",
                sqliteCode: rc
            )
        }
        handle = db
    }

    deinit { close() }

    /// Finalizes every statement and closes the connection (idempotent).
    func close() {
        for statement in cache.removeAll() { statement.finalize() }
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    /// Runs SQL without parameters (schema, pragmas, transaction control): never with values.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(try open(), sql, nil, nil, &message)
        guard rc == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? errorMessage
            sqlite3_free(message)
            throw StoreError(.sqlite, "\(text) (in: \(sql.prefix(80)))", sqliteCode: rc)
        }
    }

    /// A prepared statement for `sql`, prepared once and reused while it stays among the
    /// connection's most recently used (``SQLiteStatementCache``); an evicted one is finalized
    /// once released and prepared again when next asked for.
    func cached(_ sql: String) throws -> SQLiteStatement {
        if let statement = cache.statement(for: sql) { return statement }
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v3(try open(), sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard rc == SQLITE_OK, let raw else { throw error(rc, "cannot prepare \(sql.prefix(80))") }
        let statement = SQLiteStatement(handle: raw, connection: self)
        cache.insert(statement, for: sql)
        return statement
    }

    /// Prepared statements in the cache now (at most its capacity).
    var cachedStatementCount: Int { cache.count }

    /// Statements prepared on this connection and not yet finalized, cached or not.
    var liveStatementCount: Int {
        guard let handle else { return 0 }
        var count = 0
        var next = sqlite3_next_stmt(handle, nil)
        while let statement = next {
            count += 1
            next = sqlite3_next_stmt(handle, statement)
        }
        return count
    }

    /// The first column of the first row of a parameterless query (e.g. a pragma).
    func scalar(_ sql: String) throws -> String? {
        let statement = try cached(sql)
        defer { statement.reset() }
        return try statement.step() ? statement.text(0) : nil
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction: committed on return, rolled back on throw.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try cached("BEGIN IMMEDIATE").run()
        do {
            let result = try body()
            try cached("COMMIT").run()
            return result
        } catch {
            try? cached("ROLLBACK").run()
            throw error
        }
    }

    /// Rows changed by the latest INSERT, UPDATE or DELETE.
    var changes: Int32 { handle.map { sqlite3_changes($0) } ?? 0 }

    var errorMessage: String { handle.map { String(cString: sqlite3_errmsg($0)) } ?? "connection closed" }

    /// A ``StoreError`` carrying SQLite's message for the latest failure.
    func error(_ rc: Int32, _ context: String) -> StoreError {
        StoreError(.sqlite, "\(context): \(errorMessage)", sqliteCode: rc)
    }

    private func open() throws -> OpaquePointer {
        guard let handle else { throw StoreError.closedStore }
        return handle
    }

    /// An actionable hint about why `path` could not be opened.
    private static func hint(for path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        let dir = directory.isEmpty ? "." : directory
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) {
            return "The directory '\(dir)' does not exist: create it or choose another path."
        }
        if !isDirectory.boolValue { return "'\(dir)' is not a directory." }
        if !FileManager.default.isWritableFile(atPath: dir) {
            return "The directory '\(dir)' is not writable by this process."
        }
        return "Check that the path is a writable SQLite file."
    }
}
