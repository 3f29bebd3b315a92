import ChoreoModel
import CSQLite

/// `SQLITE_TRANSIENT`: SQLite copies the bound value before the bind call returns.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement, owned by one ``SQLiteConnection`` and used only on its queue.
///
/// Values are always bound as parameters (`?`), never spliced into SQL text.
final class SQLiteStatement {
    let handle: OpaquePointer
    private unowned let connection: SQLiteConnection

    init(handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    func finalize() {
        sqlite3_finalize(handle)
    }

    // MARK: Binding (1-based indexes)

    func bind(_ index: Int32, _ value: Int64) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    func bind(_ index: Int32, _ value: UInt64) throws {
        try bind(index, Int64(bitPattern: value))
    }

    func bind(_ index: Int32, _ value: String?) throws {
        guard let value else { return try check(sqlite3_bind_null(handle, index)) }
        try check(sqlite3_bind_text(handle, index, value, -1, sqliteTransient))
    }

    /// Binds bytes that SQLite copies at once.
    func bind(_ index: Int32, blob: UnsafeRawBufferPointer) throws {
        try check(sqlite3_bind_blob(handle, index, blob.baseAddress, Int32(blob.count), sqliteTransient))
    }

    /// Binds bytes without copying them (`SQLITE_STATIC`): they must stay valid and unchanged
    /// until the statement is reset.
    func bind(_ index: Int32, borrowedBlob blob: UnsafeRawBufferPointer) throws {
        guard let base = blob.baseAddress else { return try bind(index, blob: blob) }
        try check(sqlite3_bind_blob(handle, index, base, Int32(blob.count), nil))
    }

    /// Binds UTF-8 text without copying it (`SQLITE_STATIC`): it must stay valid and unchanged
    /// until the statement is reset.
    func bind(_ index: Int32, borrowedText utf8: UnsafeRawBufferPointer) throws {
        guard let base = utf8.baseAddress else { return try bind(index, "") }
        try check(sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(utf8.count), nil))
    }

    /// Binds the 16 big-endian bytes of a trace id.
    func bind(_ index: Int32, _ id: TraceID) throws {
        var bytes = (id.high.bigEndian, id.low.bigEndian)
        try withUnsafeBytes(of: &bytes) { try bind(index, blob: $0) }
    }

    /// Binds the 8 big-endian bytes of a span id.
    func bind(_ index: Int32, _ id: SpanID) throws {
        var bytes = id.value.bigEndian
        try withUnsafeBytes(of: &bytes) { try bind(index, blob: $0) }
    }

    // MARK: Running

    /// Runs one step: true when a row is available, false when done.
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(rc, "statement failed")
        }
    }

    /// Runs a statement that returns no rows, then resets it.
    func run() throws {
        defer { reset() }
        _ = try step()
    }

    /// Makes the statement ready to run again, with no values bound.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Columns (0-based indexes)

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func uint64(_ column: Int32) -> UInt64 { UInt64(bitPattern: int64(column)) }

    func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// The column's bytes, valid until the next step or reset.
    func blob(_ column: Int32) -> UnsafeRawBufferPointer {
        let pointer = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : count)
    }

    private func check(_ rc: Int32) throws {
        guard rc == SQLITE_OK else { throw connection.error(rc, "binding a value failed") }
    }
}
