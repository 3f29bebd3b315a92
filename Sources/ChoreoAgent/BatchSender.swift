import Foundation

/// What became of one attempt to forward a batch.
public enum SendResult: Sendable, Equatable {
    /// Accepted by the receiver.
    case accepted
    /// Worth retrying (429, 502, 503, 504, a connection error, a timeout); `retryAfter` when the
    /// receiver said how long to wait.
    case retryable(reason: String, retryAfter: Duration?)
    /// Rejected for good (e.g. 400): retrying would fail the same way.
    case permanent(reason: String)
    /// Refused as too large (413): retrying would fail the same way, but smaller requests
    /// holding the same spans may pass, so the forwarder splits the batch.
    case tooLarge(reason: String)
}

/// Sends one encoded OTLP request body to the next hop.
public protocol BatchSender: Sendable {
    /// Posts a gzip-compressed protobuf ExportTraceServiceRequest.
    func send(_ gzippedBody: [UInt8]) async -> SendResult
    /// Releases connections.
    func shutdown() async
}

/// The longest `Retry-After` the agent honours: a next hop asking for more (or for years, by
/// mistake or malice) gets its retry after this long, so a bad header cannot park the spool.
public let maxRetryAfter = Duration.seconds(60)

/// Classifies an HTTP status as OTLP/HTTP senders must: only 429, 502, 503 and 504 are retried;
/// 413 is told apart from other final refusals, so the batch can be split. A `Retry-After` in
/// seconds is honoured up to ``maxRetryAfter``; a negative or unreadable one (or an HTTP date)
/// leaves the wait to the backoff.
public func classify(status: Int, retryAfter: String?) -> SendResult {
    switch status {
    case 200..<300:
        return .accepted
    case 413:
        return .tooLarge(reason: "HTTP 413")
    case 429, 502, 503, 504:
        let wait = retryAfter.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.flatMap { seconds in
            seconds >= 0 ? min(Duration.seconds(seconds), maxRetryAfter) : nil
        }
        return .retryable(reason: "HTTP \(status)", retryAfter: wait)
    default:
        return .permanent(reason: "HTTP \(status)")
    }
}
