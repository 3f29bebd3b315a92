/// An error of the tracer module: a stable code and a message that says what to do.
public struct ChoreoTracerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code as text, e.g. `invalid_configuration`.
        public let rawValue: String

        /// A configuration value is invalid; raised at start-up, never later.
        public static let invalidConfiguration = Code(rawValue: "invalid_configuration")
        /// The receiver rejected a batch for good (400 or another non-retryable status).
        public static let exportRejected = Code(rawValue: "export_rejected")
        /// A retryable failure persisted through every retry.
        public static let exportRetriesExhausted = Code(rawValue: "export_retries_exhausted")
        /// The batch could not be encoded.
        public static let encodingFailed = Code(rawValue: "encoding_failed")
        /// The exporter was used after ``OTLPHTTPExporter/shutdown()``.
        public static let shutDown = Code(rawValue: "shut_down")
        /// A span processor's `run()` was called while it was running or after it stopped.
        public static let alreadyStarted = Code(rawValue: "already_started")

        /// The code as text.
        public var description: String { rawValue }
    }

    /// What went wrong, as a stable code.
    public let code: Code
    /// What went wrong and what to do about it.
    public let message: String
    /// The HTTP status of the final response, for export errors that had one.
    public let httpStatus: Int?

    /// An error with a code, a message and, for HTTP failures, the final status.
    public init(code: Code, message: String, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
    }

    /// `code: message`, for logs and for the message a process exits with.
    public var description: String { "\(code): \(message)" }

    static func invalidConfiguration(_ message: String) -> Self {
        Self(code: .invalidConfiguration, message: message)
    }
}
