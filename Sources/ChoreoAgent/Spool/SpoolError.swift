#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure of the disk spool: a stable code and a message saying what to do.
public struct SpoolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as a stable code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code as text.
        public let rawValue: String
        /// The spool directory cannot be created, listed or locked.
        public static let directory = Code(rawValue: "spool_directory")
        /// A write, read or sync of a segment or the cursor failed (disk full, I/O error).
        public static let io = Code(rawValue: "spool_io")
        /// One record is larger than the whole spool may be.
        public static let tooLarge = Code(rawValue: "spool_record_too_large")
        /// The spool was closed.
        public static let closed = Code(rawValue: "spool_closed")

        public var description: String { rawValue }
    }

    /// What went wrong, as a stable code.
    public let code: Code
    /// What went wrong and what to do about it.
    public let message: String

    /// An error with a code and a message.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    /// An ``Code/io`` error naming the operation, the path and `errno`.
    static func io(_ operation: String, _ path: String, errno: Int32) -> SpoolError {
        SpoolError(
            code: .io, message: "\(operation) \(path) failed: \(String(cString: strerror(errno))); check the disk and the permissions of the spool directory")
    }
}
