import Metrics
import Synchronization

/// A swift-metrics `Counter` that also keeps its running total in memory.
///
/// One ``add(_:)`` per event feeds both `/metrics` and the app's own stats (and tests), so the
/// two can never disagree: there is one update point, not two counting paths.
package final class MeteredCounter: Sendable {
    private let metric: Counter
    private let total = Atomic<Int>(0)

    package init(label: String, dimensions: [(String, String)] = [], factory: any MetricsFactory) {
        self.metric = Counter(label: label, dimensions: dimensions, factory: factory)
    }

    /// Counts `n` more (ignored when not positive).
    package func add(_ n: Int = 1) {
        guard n > 0 else { return }
        total.wrappingAdd(n, ordering: .relaxed)
        metric.increment(by: n)
    }

    /// The total since start.
    package var value: Int { total.load(ordering: .relaxed) }
}
