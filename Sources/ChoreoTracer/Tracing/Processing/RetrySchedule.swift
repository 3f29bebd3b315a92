import ChoreoModel

/// The outcome of one export attempt, as the processor sees it.
enum ExportOutcome: Equatable {
    case exported
    /// Final: the batch is counted as failed.
    case failed
    /// The endpoint is unreachable: keep the batch and try again after a backoff.
    case retryLater
    /// The attempt was cancelled (the shutdown timeout ran out).
    case cancelled
}

/// Which of the processor's tasks ended.
enum RunTaskEnd: Sendable {
    /// The export loop drained everything after shutdown.
    case drained
    /// The shutdown timeout ran out.
    case deadline
    /// The timer stopped (cancelled).
    case timer
}

/// When the processor next tries its unsent batches: exponential backoff with equal jitter.
struct RetrySchedule<Instant: Sendable>: Sendable {
    /// The next attempt's time; nil while the endpoint works.
    var due: Instant?
    private let backoff: Backoff
    private var retries = 0
    private var random = SplitMix64(seed: 0x2545_F491_4F6C_DD1D)

    init(initial: Duration, max: Duration) {
        self.backoff = Backoff(initial: initial, maximum: max, jitter: .equal)
    }

    /// The wait before the next attempt (half fixed, half random), doubling the backoff.
    mutating func nextDelay() -> Duration {
        retries += 1
        return backoff.delay(beforeRetry: retries, using: &random)
    }

    /// The endpoint took a batch: back to the initial backoff, nothing due.
    mutating func reset() {
        due = nil
        retries = 0
    }
}
