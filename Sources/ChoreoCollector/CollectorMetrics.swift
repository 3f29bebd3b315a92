import ChoreoModel
import Foundation
import Metrics
import Prometheus
import ChoreoServer

/// The collector's metrics: one ``PrometheusCollectorRegistry`` fed through swift-metrics.
///
/// Counters are updated where their events happen (``IngestWriter``, ``RejectionCounters``,
/// ``RetentionService``); queue depth and store size are read when `/metrics` is scraped; flows
/// by status are recounted in the background (``CollectorFlowCounter``). Every metric is
/// registered when the app is built, so a scrape right after start shows each one (at zero).
/// Names are prefixed `choreo_collector_`; ``help`` documents each one, with its unit.
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
        /// Counter: string attribute values truncated at ingest.
        public static let truncatedAttributes = "choreo_collector_truncated_attributes_total"
        /// Gauge: spans waiting (to be committed or forwarded).
        public static let queueDepth = "choreo_collector_ingest_queue_depth"
        /// Gauge: database file plus WAL, in bytes.
        public static let storeSize = "choreo_collector_store_size_bytes"
        /// Gauge with a `status` label: indexed flows.
        public static let flows = "choreo_collector_flows"
        /// Counter: spans deleted by retention.
        public static let retentionDeletedSpans = "choreo_collector_retention_deleted_spans_total"
        /// Counter: flows deleted by retention (their last span expired).
        public static let retentionDeletedFlows = "choreo_collector_retention_deleted_flows_total"
    }

    /// The content type of the Prometheus text exposition format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `# HELP` text by name.
    static let help: [String: String] = [
        Name.spansIngested: "Spans committed to the store and acknowledged (a re-sent span is counted again; the store keeps it once).",
        Name.commits: "Store transactions committed by the ingest writer (group commit: one per batch of waiting requests).",
        Name.commitDuration: "Duration of successful store commits, in seconds.",
        Name.rejected:
            "Ingest rejections by reason. Unit depends on the reason: malformed, body_too_large, too_many_spans and unauthorized count requests; invalid_span, overloaded, shutting_down and store_failure count spans.",
        Name.truncatedAttributes:
            "String attribute values longer than --max-attribute-length, truncated at ingest (the span lists their keys in choreo.truncated).",
        Name.queueDepth: "Spans waiting to be committed (read at scrape).",
        Name.storeSize: "Size of the SQLite database file plus its WAL, in bytes (read at scrape).",
        Name.flows: "Indexed flows by status (recounted in the background every few seconds).",
        Name.retentionDeletedSpans: "Spans deleted by retention (--retention), by start time.",
        Name.retentionDeletedFlows: "Flows deleted by retention: their last span expired, so their summary went too.",
    ]

    /// Where every collector metric lives.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory writing into ``registry``.
    public let factory: any MetricsFactory
    private let queueDepth: CoreMetrics.Gauge
    private let storeSize: CoreMetrics.Gauge
    private let flows: [FlowStatus: CoreMetrics.Gauge]

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
        var flows: [FlowStatus: CoreMetrics.Gauge] = [:]
        for status in FlowStatus.allCases {
            flows[status] = CoreMetrics.Gauge(label: Name.flows, dimensions: [("status", status.rawValue)], factory: factory)
        }
        self.flows = flows
        // Registered now so that they are exposed (at zero) before anything happens.
        for name in [Name.truncatedAttributes, Name.retentionDeletedSpans, Name.retentionDeletedFlows] {
            _ = CoreMetrics.Counter(label: name, factory: factory)
        }
        queueDepth.record(0)
        storeSize.record(0)
        recordFlowCounts([:])
    }

    /// Sets `choreo_collector_flows{status}` for every status (0 for those missing).
    func recordFlowCounts(_ counts: [FlowStatus: Int]) {
        for (status, gauge) in flows { gauge.record(counts[status] ?? 0) }
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
