/// An error of a span store, with a code to branch on and a message a person can act on.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, broadly.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case cannotOpen = "cannot_open"
            case schema
            case sqlite
            case corruptRecord = "corrupt_record"
            case closed
            case database
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The database file could not be opened or created (missing directory, no permission).
        public static let cannotOpen = Code(.cannotOpen)
        /// The schema could not be created or migrated (e.g. a file from a newer version).
        public static let schema = Code(.schema)
        /// SQLite reported an error while running a statement.
        public static let sqlite = Code(.sqlite)
        /// A stored span could not be decoded.
        public static let corruptRecord = Code(.corruptRecord)
        /// The store was closed.
        public static let closed = Code(.closed)
        /// A database server (PostgreSQL) reported an error or could not be reached.
        public static let database = Code(.database)

        public var description: String { base.rawValue }
    }

    /// What went wrong, broadly.
    public var code: Code
    /// What happened and, where possible, what to do about it (includes SQLite's own message).
    public var message: String
    /// SQLite's (extended) result code, when SQLite reported the error.
    public var sqliteCode: Int32?

    /// Creates an error.
    public init(_ code: Code, _ message: String, sqliteCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.sqliteCode = sqliteCode
    }

    public var description: String {
        if let sqliteCode { return "\(code): \(message) (sqlite code \(sqliteCode))" }
        return "\(code): \(message)"
    }

    /// The error of any call on a closed store.
    static let closedStore = StoreError(.closed, "the span store is closed")
}
