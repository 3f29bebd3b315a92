import ChoreoModel
import Synchronization

/// One ``ClockSkewEstimator`` shared by concurrent tasks (e.g. the collector's indexer, which
/// observes the spans of every flow it rebuilds, and the judging that reads the offsets).
///
/// Every call holds a lock for a short, bounded time; offsets are computed outside it from a copy.
public final class SharedClockSkewEstimator: Sendable {
    private let state: Mutex<ClockSkewEstimator>

    /// Creates a shared estimator that starts empty.
    public init(configuration: ClockSkewEstimator.Configuration = ClockSkewEstimator.Configuration()) {
        state = Mutex(ClockSkewEstimator(configuration: configuration))
    }

    /// Records the hops among `spans` (see ``ClockSkewEstimator/hops(in:)``).
    public func observe(spans: [SpanRecord]) {
        let hops = ClockSkewEstimator.hops(in: spans)
        guard !hops.isEmpty else { return }
        state.withLock { estimator in
            for hop in hops { estimator.observe(hop) }
        }
    }

    /// A copy of the estimator as it is now.
    public func snapshot() -> ClockSkewEstimator {
        state.withLock { $0 }
    }

    /// The offsets estimated so far (see ``ClockSkewEstimator/offsets()``).
    public func offsets() -> ClockOffsets {
        snapshot().offsets()
    }
}
