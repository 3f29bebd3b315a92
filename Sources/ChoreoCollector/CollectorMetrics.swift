import Foundation
import Metrics
import Prometheus
import ChoreoServer

/// The collector's metrics: one ``PrometheusCollectorRegistry`` fed through swift-metrics.
///
/// Counters are updated where their events happen (``IngestWriter``, ``RejectionCounters``);
/// the gauges (queue depth, store size) are read when `/metrics` is scraped. Names are
/// prefixed `choreo_collector_`; ``help`` documents each one, with its unit.
public final class CollectorMetrics: Sendable {
    /// Metric names.
    public enum Name {
        /// Counter: spans committed and acknowledged.
        public static let spansIngested = "choreo_collector_spans_ingested_total"
        /// Counter: store transactions.
        public static let commits = "choreo_collector_commits_total"
        /// Histogram: latency of successful commits.
        public static let commitDuration = "choreo_collector_commit_duration_seconds"
        /// Counter with a `reason` label: ingest rejections.
        public static let rejected = "choreo_collector_rejected_total"
        /// Gauge: spans waiting (to be committed or forwarded).
        public static let queueDepth = "choreo_collector_ingest_queue_depth"
        /// Gauge: database file plus WAL, in bytes.
        public static let storeSize = "choreo_collector_store_size_bytes"
    }

    /// The content type of the Prometheus text exposition format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `# HELP` text by name.
    static let help: [String: String] = [
        Name.spansIngested: "Spans committed to the store and acknowledged (a re-sent span is counted again; the store keeps it once).",
        Name.commits: "Store transactions committed by the ingest writer (group commit: one per batch of waiting requests).",
        Name.commitDuration: "Duration of successful store commits, in seconds.",
        Name.rejected: "Ingest rejections by reason. Unit depends on the reason: malformed, body_too_large and unauthorized count requests (their spans are unknown); invalid_span, overloaded and store_failure count spans.",
        Name.queueDepth: "Spans waiting to be committed (read at scrape).",
        Name.storeSize: "Size of the SQLite database file plus its WAL, in bytes (read at scrape).",
    ]

    /// Where every collector metric lives.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory writing into ``registry``.
    public let factory: any MetricsFactory
    private let queueDepth: CoreMetrics.Gauge
    private let storeSize: CoreMetrics.Gauge

    /// A fresh registry (one per app, so tests never share metrics).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        let factory = DescribedMetricsFactory(
            registry: registry, help: Self.help,
            timerBuckets: [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000].map { Duration.microseconds($0 * 1000) }
        )
        self.factory = factory
        self.queueDepth = CoreMetrics.Gauge(label: Name.queueDepth, factory: factory)
        self.storeSize = CoreMetrics.Gauge(label: Name.storeSize, factory: factory)
    }

    /// Records the scrape-time gauges, then renders the Prometheus text exposition.
    func exposition(queueDepth depth: Int, storeSizeBytes: Int) -> [UInt8] {
        queueDepth.record(depth)
        storeSize.record(storeSizeBytes)
        return registry.emitToBuffer()
    }

    /// Bytes of the SQLite file and its `-wal` file (0 for a file that does not exist).
    static func storeSizeBytes(databasePath path: String) -> Int {
        [path, path + "-wal"].reduce(0) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.intValue
            return total + (size ?? 0)
        }
    }
}
