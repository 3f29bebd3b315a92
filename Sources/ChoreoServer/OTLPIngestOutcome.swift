/// What one OTLP export request came to, whatever carried it: the OTLP/HTTP route and the
/// OTLP/gRPC service of a receiver (agent or collector) take the same path and answer from this,
/// as HTTP statuses or as gRPC codes.
public enum OTLPIngestOutcome: Sendable, Equatable {
    /// Kept as the receiver acknowledges (queued, spooled, or committed); `rejectedSpans` spans
    /// were dropped as invalid and `message` says why (OTLP partial success).
    case accepted(rejectedSpans: Int, message: String?)
    /// Refused as a whole: nothing was kept.
    case refused(OTLPIngestRefusal)
}

/// Why a receiver refused a whole OTLP request, and whether the sender should try again.
public struct OTLPIngestRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of refusal the OTLP specification tells apart.
    public enum Reason: String, Sendable {
        /// The request cannot be decoded: final (HTTP 400, gRPC `INVALID_ARGUMENT`).
        case malformed
        /// The request is over a size or count limit and could never be taken: final, send
        /// smaller batches (HTTP 413, gRPC `INVALID_ARGUMENT`).
        case tooLarge
        /// The queue is full: retry after ``OTLPIngestRefusal/retryAfter`` (HTTP 429, gRPC
        /// `RESOURCE_EXHAUSTED` with `RetryInfo`).
        case overloaded
        /// The receiver cannot keep spans now (a failed commit, shutting down, an unwritable
        /// spool): retry after ``OTLPIngestRefusal/retryAfter`` (HTTP 503, gRPC `UNAVAILABLE`
        /// with `RetryInfo`).
        case unavailable
    }

    public var reason: Reason
    /// What a sender should know, in words.
    public var message: String
    /// How long the sender should wait before retrying; nil for the final refusals.
    public var retryAfter: Duration?

    public init(_ reason: Reason, _ message: String, retryAfter: Duration? = nil) {
        self.reason = reason
        self.message = message
        self.retryAfter = retryAfter
    }

    /// True when the sender should retry the same request later.
    public var isRetryable: Bool { reason == .overloaded || reason == .unavailable }

    /// `retryAfter` in whole seconds (at least 1), for `Retry-After`.
    public var retryAfterSeconds: Int? {
        retryAfter.map { max(1, Int($0.components.seconds) + ($0.components.attoseconds > 0 ? 1 : 0)) }
    }

    public var description: String { "\(reason.rawValue): \(message)" }
}
