import ChoreoServer
import ChoreoStore

extension CollectorApp {
    /// How the collector answers a store error a route threw (``ErrorBodyMiddleware``): 500
    /// when the data is damaged (retrying will not help), 503 with `Retry-After` otherwise (a
    /// lock, an I/O error, a full disk, shutdown); nil for any other error (500).
    static func answer(to error: any Error) -> ErrorAnswer? {
        guard let error = error as? StoreError else { return nil }
        if error.code == .corruptRecord || error.isCorruption {
            return ErrorAnswer(.internalServerError, "the span store is damaged: \(error.message)")
        }
        if error.code == .closed {
            return ErrorAnswer(.serviceUnavailable, "the span store is closed: the collector is shutting down", retryAfter: "5")
        }
        return ErrorAnswer(.serviceUnavailable, "the span store failed: \(error.message); retry later", retryAfter: "1")
    }
}

extension StoreError {
    /// SQLite found the file damaged (SQLITE_CORRUPT or SQLITE_NOTADB, any extended code).
    var isCorruption: Bool {
        guard let code = sqliteCode else { return false }
        return [11, 26].contains(code & 0xff)  // SQLITE_CORRUPT, SQLITE_NOTADB
    }
}
