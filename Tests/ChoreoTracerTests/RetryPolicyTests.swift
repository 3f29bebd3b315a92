import ChoreoTracer
import Testing

@Suite("RetryPolicy")
struct RetryPolicyTests {
    private let policy = RetryPolicy(maxRetries: 5, initialBackoff: .seconds(1), maxBackoff: .seconds(8))

    @Test(
        "backoff doubles per retry, is capped, and jitter keeps it within [half, full]",
        arguments: [
            (1, Duration.seconds(1)), (2, .seconds(2)), (3, .seconds(4)), (4, .seconds(8)), (5, .seconds(8)), (40, .seconds(8)),
        ])
    func backoff(retry: Int, full: Duration) {
        #expect(policy.delay(beforeRetry: retry, retryAfter: nil, unitRandom: 0) == full / 2)
        #expect(policy.delay(beforeRetry: retry, retryAfter: nil, unitRandom: 1) == full)
        let middle = policy.delay(beforeRetry: retry, retryAfter: nil, unitRandom: 0.5)
        #expect(middle > full / 2 && middle < full)
    }

    @Test("Retry-After wins over the backoff and is capped")
    func retryAfter() {
        #expect(policy.delay(beforeRetry: 1, retryAfter: .seconds(7), unitRandom: 0.3) == .seconds(7))
        #expect(policy.delay(beforeRetry: 1, retryAfter: .seconds(3600), unitRandom: 0.3) == policy.maxRetryAfter)
    }

    @Test("only 429, 502, 503 and 504 are retryable", arguments: [200, 400, 401, 404, 413, 429, 500, 501, 502, 503, 504])
    func retryableStatuses(status: Int) {
        #expect(RetryPolicy.isRetryable(status: status) == [429, 502, 503, 504].contains(status))
    }

    @Test("a negative retry count or inverted backoff is invalid")
    func validation() {
        #expect(throws: ChoreoTracerError.self) { try RetryPolicy(maxRetries: -1).validate() }
        #expect(throws: ChoreoTracerError.self) {
            try RetryPolicy(initialBackoff: .seconds(10), maxBackoff: .seconds(1)).validate()
        }
        #expect(throws: Never.self) { try RetryPolicy().validate() }
    }
}
