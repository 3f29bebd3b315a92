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

/// Classifies an HTTP status as OTLP/HTTP senders must: only 429, 502, 503 and 504 are retried;
/// 413 is told apart from other final refusals, so the batch can be split.
public func classify(status: Int, retryAfter: String?) -> SendResult {
    switch status {
    case 200..<300:
        return .accepted
    case 413:
        return .tooLarge(reason: "HTTP 413")
    case 429, 502, 503, 504:
        let wait = retryAfter.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { Duration.seconds($0) }
        return .retryable(reason: "HTTP \(status)", retryAfter: wait)
    default:
        return .permanent(reason: "HTTP \(status)")
    }
}
