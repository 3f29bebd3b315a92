import ChoreoModel
import Foundation
import Metrics
import Prometheus
import ChoreoServer
import ChoreoStore
import Synchronization

/// The collector's metrics: one ``PrometheusCollectorRegistry`` fed through swift-metrics.
///
/// Counters are updated where their events happen (``IngestWriter``, ``RejectionCounters``,
/// ``RetentionService``); queue depth, store size and index lag are read when `/metrics` is
/// scraped; flows by status and the stuck flows by awaited type are recounted in the background
/// (``CollectorFlowCounter``), and the oldest stuck flow's age is worked out at scrape from the
/// last recount (so it keeps growing between recounts). Every metric is
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
        /// Gauge with a `waiting_for` label: stuck flows per awaited message type.
        public static let stuckFlows = "choreo_collector_stuck_flows"
        /// Gauge: seconds since the oldest stuck flow last made progress (0 when none is stuck).
        public static let oldestStuckAge = "choreo_collector_oldest_stuck_flow_age_seconds"
        /// Gauge: seconds since the last completed flow index pass began.
        public static let indexLag = "choreo_collector_index_lag_seconds"
        /// Counter with `decision` (kept, sampled_out) and `reason` labels: flows tail sampling decided.
        public static let samplingFlows = "choreo_collector_sampling_flows_total"
        /// Counter with a `decision` label: spans of the flows tail sampling decided.
        public static let samplingSpans = "choreo_collector_sampling_spans_total"
        /// Counter: spans that arrived for a flow already sampled out, deleted.
        public static let samplingLateSpans = "choreo_collector_sampling_late_spans_total"
    }

    /// Awaited types with their own `choreo_collector_stuck_flows` series, at most; the stuck
    /// flows of the others are summed under ``otherTypesLabel``.
    public static let maxStuckTypeSeries = 50
    /// The `waiting_for` value of stuck flows whose summary names no awaited type.
    public static let noTypeLabel = "(none)"
    /// The `waiting_for` value summing the types beyond ``maxStuckTypeSeries``.
    public static let otherTypesLabel = "(other)"

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
        Name.stuckFlows:
            "Stuck flows by the message type they wait for (recounted with the flows by status; a type with no stuck flow has no series; beyond 50 types the rest are summed under (other)).",
        Name.oldestStuckAge: "Seconds since the oldest stuck flow last made progress, 0 when no flow is stuck (read at scrape from the last recount).",
        Name.indexLag:
            "Seconds since the last completed flow index pass began (every span committed before then is indexed); before the first pass, since the collector started (read at scrape).",
        Name.samplingFlows:
            "Flows decided by tail sampling (--keep-healthy), by decision (kept, sampled_out) and reason (failed, compensated, stuck, slow, deviating, in_flight, hash); a flow rebuilt after its decision (a late span) is decided and counted again.",
        Name.samplingSpans:
            "Spans of the flows tail sampling decided, by decision: kept (with the error spans a sampled-out flow keeps), or sampled_out (deleted; the flow index keeps the flow).",
        Name.samplingLateSpans:
            "Spans that arrived for a flow already sampled out: deleted (error spans are kept and not counted), the flow's index entry unchanged.",
    ]

    /// Where every collector metric lives.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory writing into ``registry``.
    public let factory: any MetricsFactory
    private let queueDepth: CoreMetrics.Gauge
    private let storeSize: CoreMetrics.Gauge
    private let flows: [FlowStatus: CoreMetrics.Gauge]
    private let oldestStuckAge: CoreMetrics.Gauge
    private let indexLag: CoreMetrics.Gauge
    /// The stuck-flow series by awaited type, and the oldest stuck flow's last activity.
    private let stuck = Mutex(StuckSeries())
    /// When this collector started (Unix nanoseconds): the index lag before the first pass.
    private let startedAtUnixNano: UInt64

    private struct StuckSeries {
        var gauges: [String: Prometheus.Gauge] = [:]
        var oldestLastActivityAtUnixNano: UInt64?
    }

    /// A fresh registry (one per app, so tests never share metrics).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), startedAtUnixNano: UInt64 = UnixTime.nowNanos()) {
        self.registry = registry
        self.startedAtUnixNano = startedAtUnixNano
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
        self.oldestStuckAge = CoreMetrics.Gauge(label: Name.oldestStuckAge, factory: factory)
        self.indexLag = CoreMetrics.Gauge(label: Name.indexLag, factory: factory)
        // Registered now so that they are exposed (at zero) before anything happens.
        for name in [Name.truncatedAttributes, Name.retentionDeletedSpans, Name.retentionDeletedFlows] {
            _ = CoreMetrics.Counter(label: name, factory: factory)
        }
        queueDepth.record(0)
        storeSize.record(0)
        oldestStuckAge.record(0)
        indexLag.record(0)
        recordFlowCounts([:])
    }

    /// Sets `choreo_collector_flows{status}` for every status (0 for those missing).
    func recordFlowCounts(_ counts: [FlowStatus: Int]) {
        for (status, gauge) in flows { gauge.record(counts[status] ?? 0) }
    }

    /// Sets `choreo_collector_stuck_flows{waiting_for}` from the store's groups (series of types
    /// no longer awaited are removed) and remembers the oldest stuck flow's last activity.
    func recordStuckFlows(_ groups: [StuckFlowGroup]) {
        var counts: [String: Int] = [:]
        let ranked = groups.sorted { $0.count != $1.count ? $0.count > $1.count : StuckFlowGroup.ordered($0, $1) }
        for (rank, group) in ranked.enumerated() {
            let label = rank < Self.maxStuckTypeSeries ? group.waitingFor ?? Self.noTypeLabel : Self.otherTypesLabel
            counts[label, default: 0] += group.count
        }
        let descriptor = MetricNameDescriptor(metricName: Name.stuckFlows, unitName: "", helpText: Self.help[Name.stuckFlows] ?? "")
        stuck.withLock { series in
            for (label, gauge) in series.gauges where counts[label] == nil {
                registry.unregisterGauge(gauge)
                series.gauges[label] = nil
            }
            for (label, count) in counts {
                let gauge = series.gauges[label] ?? registry.makeGauge(descriptor: descriptor, labels: [("waiting_for", label)])
                gauge.set(to: Double(count))
                series.gauges[label] = gauge
            }
            series.oldestLastActivityAtUnixNano = groups.map(\.oldestLastActivityAtUnixNano).min()
        }
    }

    /// Records the scrape-time gauges, then renders the Prometheus text exposition.
    ///
    /// - Parameters:
    ///   - indexedAtUnixNano: when the last completed index pass began (0: none yet).
    ///   - nowUnixNano: the time of the scrape.
    func exposition(queueDepth depth: Int, storeSizeBytes: Int, indexedAtUnixNano: UInt64, nowUnixNano: UInt64) -> [UInt8] {
        queueDepth.record(depth)
        storeSize.record(storeSizeBytes)
        let oldest = stuck.withLock { $0.oldestLastActivityAtUnixNano }
        oldestStuckAge.record(oldest.map { Self.seconds(from: $0, to: nowUnixNano) } ?? 0)
        indexLag.record(Self.seconds(from: indexedAtUnixNano == 0 ? startedAtUnixNano : indexedAtUnixNano, to: nowUnixNano))
        return registry.emitToBuffer()
    }

    /// Seconds from one Unix time to a later one (0 when it is not later).
    static func seconds(from start: UInt64, to end: UInt64) -> Double {
        end > start ? Double(end - start) / 1e9 : 0
    }

    /// Bytes of the SQLite file and its `-wal` file (0 for a file that does not exist).
    static func storeSizeBytes(databasePath path: String) -> Int {
        [path, path + "-wal"].reduce(0) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.intValue
            return total + (size ?? 0)
        }
    }
}
