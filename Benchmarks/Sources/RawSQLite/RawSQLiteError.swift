/// A failed SQLite call in the raw baseline: the result code and SQLite's message.
public struct RawSQLiteError: Error, Sendable, CustomStringConvertible {
    /// The SQLite result code.
    public var code: Int32
    /// What failed, with SQLite's own message.
    public var message: String

    /// Describes the failure.
    public var description: String { "SQLite error \(code): \(message)" }
}
