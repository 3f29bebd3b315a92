import ChoreoModel
/// When and how often an exporter retries a failed request: exponential backoff with jitter,
/// bounded, honouring the receiver's `Retry-After`.
///
/// Only overload and gateway statuses (429, 502, 503, 504) and connection errors are retried,
/// as OTLP/HTTP specifies; other statuses are final.
public struct RetryPolicy: Hashable, Sendable {
    /// Retries after the first attempt; 0 disables retrying.
    public var maxRetries: Int
    /// The backoff before the first retry; it doubles for each further retry.
    public var initialBackoff: Duration
    /// The backoff never grows past this.
    public var maxBackoff: Duration
    /// The longest `Retry-After` honoured; a longer one is shortened to this.
    public var maxRetryAfter: Duration

    /// A policy; the defaults retry 5 times over about 15 s at most (without `Retry-After`).
    public init(
        maxRetries: Int = 5,
        initialBackoff: Duration = .milliseconds(500),
        maxBackoff: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(60)
    ) {
        self.maxRetries = maxRetries
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxRetryAfter = maxRetryAfter
    }

    /// True for the HTTP statuses that OTLP senders retry: 429, 502, 503, 504.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || status == 502 || status == 503 || status == 504
    }

    /// The wait before retry number `retry` (1-based).
    ///
    /// A `Retry-After` from the receiver wins (capped at ``maxRetryAfter``). Otherwise the
    /// backoff is `initialBackoff * 2^(retry-1)`, capped at ``maxBackoff``, with "equal jitter":
    /// half of it fixed, the other half scaled by `unitRandom` (in `0..<1`), so that many
    /// senders do not retry in step.
    public func delay(beforeRetry retry: Int, retryAfter: Duration?, unitRandom: Double) -> Duration {
        if let retryAfter {
            return min(max(retryAfter, .zero), maxRetryAfter)
        }
        return backoff.delay(beforeRetry: retry, fraction: unitRandom)
    }

    /// The backoff without `Retry-After`: ``initialBackoff`` doubling up to ``maxBackoff``,
    /// equal jitter.
    public var backoff: Backoff {
        Backoff(initial: initialBackoff, maximum: maxBackoff, jitter: .equal)
    }

    /// Throws ``ChoreoTracerError`` (`invalid_configuration`) when a value is out of range.
    public func validate() throws {
        guard maxRetries >= 0 else {
            throw ChoreoTracerError.invalidConfiguration("maxRetries must not be negative (got \(maxRetries))")
        }
        guard initialBackoff > .zero, maxBackoff >= initialBackoff else {
            throw ChoreoTracerError.invalidConfiguration(
                "backoff must satisfy 0 < initialBackoff <= maxBackoff (got \(initialBackoff), \(maxBackoff))"
            )
        }
    }
}

/// Parsing of the HTTP `Retry-After` header.
enum RetryAfter {
    /// The delay in a `Retry-After` value given in seconds; `nil` for an HTTP date or garbage,
    /// in which case the caller falls back to its own backoff.
    static func parse(_ value: String?) -> Duration? {
        guard let value, let seconds = Int64(value.trimmingSpacesAndTabs()), seconds >= 0 else { return nil }
        return .seconds(min(seconds, 86_400))
    }
}
