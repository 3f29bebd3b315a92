import ChoreoModel
import ChoreoStore
import Logging
import ServiceLifecycle

/// Keeps `choreo_collector_flows{status}` current: recounts the indexed flows by status at
/// start and every interval.
///
/// The count is the store's ``SpanStore/flowCounts(_:)`` (SQLite: one indexed `GROUP BY`, no
/// summary decoded), so a scrape never touches the store.
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

    /// Counts now and records the gauges; returns the counts.
    @discardableResult
    public func refresh() async throws -> [FlowStatus: Int] {
        let counts = try await store.flowCounts(FlowQuery())
        metrics.recordFlowCounts(counts)
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
