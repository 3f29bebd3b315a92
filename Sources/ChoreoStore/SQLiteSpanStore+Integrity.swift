import Foundation

extension SQLiteSpanStore {
    /// The most problems one integrity report names.
    static let reportedProblems = 5

    /// Refuses a damaged database file before anything writes to it: runs `PRAGMA quick_check`
    /// (every page read once, indexes not compared with their tables) on its own connection, WAL
    /// included. A file that does not exist yet or is empty is fine (it is about to be created).
    ///
    /// - Throws: ``StoreError`` `cannot_open` naming the first problems SQLite found and what to do.
    static func checkIntegrity(path: String) throws {
        guard let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, size > 0 else { return }
        let problems: [String]
        do {
            let db = try SQLiteConnection(path: path, create: false)
            defer { db.close() }
            problems = try quickCheck(db)
        } catch let error as StoreError {
            throw damaged(path, because: error.message, sqliteCode: error.sqliteCode)
        }
        guard problems != ["ok"] else { return }
        var reason = problems.prefix(reportedProblems).joined(separator: "; ")
        if problems.count > reportedProblems { reason += "; and \(problems.count - reportedProblems) more" }
        throw damaged(path, because: reason, sqliteCode: nil)
    }

    /// The rows of `PRAGMA quick_check`: `["ok"]`, or one line per problem (at most 100).
    private static func quickCheck(_ db: SQLiteConnection) throws -> [String] {
        let statement = try db.cached("PRAGMA quick_check(100)")
        defer { statement.reset() }
        var rows: [String] = []
        while try statement.step() { rows.append(statement.text(0) ?? "") }
        return rows
    }

    private static func damaged(_ path: String, because reason: String, sqliteCode: Int32?) -> StoreError {
        StoreError(
            .cannotOpen,
            """
            the span database '\(path)' is damaged (integrity check failed: \(reason)). Restore it from a \
            backup, or move it and its -wal and -shm files aside to start with an empty database \
            (`sqlite3 '\(path)' .recover` may save what is left)
            """,
            sqliteCode: sqliteCode
        )
    }
}
