import Synchronization

/// One ``LatencyLearner`` shared by concurrent tasks (e.g. the collector's indexer and query API).
///
/// Every call takes a lock for a short, bounded time; limits are computed outside it from a copy.
public final class SharedLatencyLearner: Sendable {
    private let state: Mutex<LatencyLearner>

    /// Creates a shared learner that starts empty.
    public init(configuration: LatencyLearner.Configuration = LatencyLearner.Configuration()) {
        state = Mutex(LatencyLearner(configuration: configuration))
    }

    /// Records the consumption latencies of `flows` (see ``LatencyLearner/observe(_:)``).
    public func observe(_ flows: some Sequence<Flow>) {
        state.withLock { learner in
            for flow in flows { learner.observe(flow) }
        }
    }

    /// A copy of the learner as it is now.
    public func snapshot() -> LatencyLearner {
        state.withLock { $0 }
    }

    /// The stuck limits learned so far (see ``LatencyLearner/limits()``).
    public func limits() -> StuckLimits {
        snapshot().limits()
    }
}
