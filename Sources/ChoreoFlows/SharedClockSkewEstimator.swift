import ChoreoModel
import Synchronization

/// One ``ClockSkewEstimator`` shared by concurrent tasks (e.g. the collector's indexer, which
/// observes the spans of every flow it rebuilds, and the judging that reads the offsets).
///
/// Every call holds a lock for a short, bounded time; offsets are computed outside it from a copy.
/// Flows fed through ``FlowBuilder/build(correlationID:spans:now:learningClocksInto:)`` count
/// each hop once however often they are rebuilt: the estimator remembers the latest
/// `rememberedHops` hops it was fed (by span id) and skips them.
public final class SharedClockSkewEstimator: Sendable {
    struct State {
        var estimator: ClockSkewEstimator
        var seen: SeenHops
    }

    let state: Mutex<State>

    /// Creates a shared estimator that starts empty and remembers the latest `rememberedHops`
    /// hops fed from flows (about 40 bytes each), so a rebuilt flow's hops count once.
    public init(configuration: ClockSkewEstimator.Configuration = ClockSkewEstimator.Configuration(), rememberedHops: Int = 65_536) {
        state = Mutex(State(estimator: ClockSkewEstimator(configuration: configuration), seen: SeenHops(capacity: rememberedHops)))
    }

    /// Records the hops among `spans` (see ``ClockSkewEstimator/hops(in:)``), every time: use
    /// ``FlowBuilder/build(correlationID:spans:now:learningClocksInto:)`` for flows that are
    /// rebuilt, so each hop counts once.
    public func observe(spans: [SpanRecord]) {
        let hops = ClockSkewEstimator.hops(in: spans)
        guard !hops.isEmpty else { return }
        state.withLock { state in
            for hop in hops { state.estimator.observe(hop) }
        }
    }

    /// A copy of the estimator as it is now.
    public func snapshot() -> ClockSkewEstimator {
        state.withLock { $0.estimator }
    }

    /// The offsets estimated so far (see ``ClockSkewEstimator/offsets()``).
    public func offsets() -> ClockOffsets {
        snapshot().offsets()
    }

    /// Hops fed so far (``ClockSkewEstimator/observedHops``), without copying the estimator.
    public var observedHops: Int { state.withLock { $0.estimator.observedHops } }
}
