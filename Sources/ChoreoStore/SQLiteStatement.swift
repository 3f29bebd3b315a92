import ChoreoModel
import CSQLite

/// `SQLITE_TRANSIENT`: SQLite copies the bound value before the bind call returns.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement, owned by one ``SQLiteConnection`` and used only on its queue.
///
/// Values are always bound as parameters (`?`), never spliced into SQL text. The statement
/// finalizes itself when released (an evicted cache entry that no caller holds any more), or
/// earlier when its connection closes.
final class SQLiteStatement {
    let handle: OpaquePointer
    private unowned let connection: SQLiteConnection
    private(set) var isFinalized = false

    init(handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { finalize() }

    /// Releases SQLite's statement (idempotent); the statement must not be used afterwards.
    func finalize() {
        guard !isFinalized else { return }
        isFinalized = true
        sqlite3_finalize(handle)
    }

    // MARK: Binding (1-based indexes)

    func bind(_ index: Int32, _ value: Int64) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    func bind(_ index: Int32, _ value: UInt64) throws {
        try bind(index, Int64(bitPattern: value))
    }

    /// Binds text with its exact UTF-8 length, so a NUL inside it is kept rather than ending it.
    func bind(_ index: Int32, _ value: String?) throws {
        guard var value else { return try check(sqlite3_bind_null(handle, index)) }
        try value.withUTF8 { utf8 in
            // A NULL pointer would bind SQL NULL: the empty string binds a literal "".
            guard let base = utf8.baseAddress, !utf8.isEmpty else { return try check(sqlite3_bind_text(handle, index, "", 0, sqliteTransient)) }
            let text = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
            try check(sqlite3_bind_text(handle, index, text, try length(utf8.count), sqliteTransient))
        }
    }

    /// Binds bytes that SQLite copies at once.
    func bind(_ index: Int32, blob: UnsafeRawBufferPointer) throws {
        try check(sqlite3_bind_blob(handle, index, blob.baseAddress, try length(blob.count), sqliteTransient))
    }

    /// Binds bytes without copying them (`SQLITE_STATIC`): they must stay valid and unchanged
    /// until the statement is reset.
    func bind(_ index: Int32, borrowedBlob blob: UnsafeRawBufferPointer) throws {
        guard let base = blob.baseAddress else { return try bind(index, blob: blob) }
        try check(sqlite3_bind_blob(handle, index, base, try length(blob.count), nil))
    }

    /// Binds UTF-8 text without copying it (`SQLITE_STATIC`): it must stay valid and unchanged
    /// until the statement is reset.
    func bind(_ index: Int32, borrowedText utf8: UnsafeRawBufferPointer) throws {
        guard let base = utf8.baseAddress else { return try bind(index, "") }
        try check(sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), try length(utf8.count), nil))
    }

    /// A byte count as SQLite's `Int32`; a value too large to bind throws instead of trapping.
    private func length(_ count: Int) throws -> Int32 {
        guard let length = Int32(exactly: count) else {
            throw StoreError(.sqlite, "a value of \(count) bytes is too large to bind (SQLite takes at most \(Int32.max))")
        }
        return length
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
