import ChoreoModel
import ChoreoStore
import Logging
import ServiceLifecycle

/// Keeps `choreo_collector_flows{status}`, `choreo_collector_stuck_flows{waiting_for}` and the
/// oldest stuck flow's age current: recounts the indexed flows at start and every interval.
///
/// The counts are the store's ``SpanStore/flowCounts(_:)`` and ``SpanStore/stuckFlowGroups()``
/// (each one indexed `GROUP BY`, no summary decoded), so a scrape never touches the store.
public final class CollectorFlowCounter<C: Clock>: Service, Sendable where C.Duration == Duration {
    private let store: any SpanStore
    private let metrics: CollectorMetrics
    private let clock: C
    private let interval: Duration
    private let logger: Logger

    /// Creates a counter that records into `metrics`.
    public init(store: any SpanStore, metrics: CollectorMetrics, clock: C, interval: Duration, logger: Logger) {
        self.store = store
        self.metrics = metrics
        self.clock = clock
        self.interval = interval
        self.logger = logger
    }

    /// Counts now and records the gauges; returns the counts by status.
    @discardableResult
    public func refresh() async throws -> [FlowStatus: Int] {
        let counts = try await store.flowCounts(FlowQuery())
        let stuck = try await store.stuckFlowGroups()
        metrics.recordFlowCounts(counts)
        metrics.recordStuckFlows(stuck)
        return counts
    }

    /// Refreshes at start and every interval until graceful shutdown.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    do {
                        try await self.refresh()
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        self.logger.warning("counting flows by status failed; retrying next interval", metadata: ["error": "\(error)"])
                    }
                    try await self.clock.sleep(for: self.interval)
                }
            }
        } catch is CancellationError {}
    }
}
