import ChoreoServer
import Metrics
import Prometheus

/// The agent's metrics: one ``PrometheusCollectorRegistry`` fed through swift-metrics.
///
/// Counters are updated where their events happen (``ReceiverCounters``, ``Forwarder``); the
/// gauges are read when `/metrics` is scraped. Names are prefixed `choreo_agent_`; ``help``
/// documents each one, with its unit.
public final class AgentMetrics: Sendable {
    /// Metric names.
    public enum Name {
        /// Counter: spans received and queued.
        public static let spansReceived = "choreo_agent_spans_received_total"
        /// Counter: spans the next hop accepted.
        public static let spansSent = "choreo_agent_spans_sent_total"
        /// Counter: batches the next hop accepted.
        public static let batchesSent = "choreo_agent_batches_sent_total"
        /// Counter: retried forwarding attempts.
        public static let retries = "choreo_agent_retries_total"
        /// Counter with a `reason` label: spans given up.
        public static let spansDropped = "choreo_agent_spans_dropped_total"
        /// Counter with a `reason` label: requests the receiver refused.
        public static let requestsRejected = "choreo_agent_requests_rejected_total"
        /// Gauge: spans waiting (to be committed or forwarded).
        public static let queueDepth = "choreo_agent_queue_depth"
        /// Gauge: bytes in the disk spool's segment files (0 without a spool).
        public static let spooledBytes = "choreo_agent_spooled_bytes"
    }

    /// The content type of the Prometheus text exposition format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `# HELP` text by name.
    static let help: [String: String] = [
        Name.spansReceived: "Spans accepted by the receiver and queued for forwarding.",
        Name.spansSent: "Spans the next hop accepted.",
        Name.batchesSent: "Batches (forwarded requests) the next hop accepted.",
        Name.retries: "Forwarding attempts that failed retryably (429, 502, 503, 504, connection error) and were retried.",
        Name.spansDropped:
            "Spans given up, by reason: rejected (the next hop refused them for good, e.g. 400, or refused a single span as too large), shutdown (still queued in memory when the shutdown grace ran out), queue_full (refused with 503 at the receiver; the sender keeps and retries them), spool_full (unsent when the oldest spool segment was deleted to respect --spool-max-bytes), corrupt (in a spool record that failed its checksum).",
        Name.requestsRejected:
            "Requests refused by the receiver, by reason: malformed (400), too_large (413: over the agent's own limits or over what one request to the collector may carry), unauthorized (401).",
        Name.queueDepth: "Spans waiting to be forwarded: in the memory queue, or with --spool-dir not yet read from the spool (read at scrape).",
        Name.spooledBytes: "Bytes in the disk spool's segment files (0 without --spool-dir; read at scrape).",
    ]

    /// Where every agent metric lives.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory writing into ``registry``.
    public let factory: any MetricsFactory
    private let queueDepth: CoreMetrics.Gauge
    private let spooledBytes: CoreMetrics.Gauge

    /// A fresh registry (one per app, so tests never share metrics).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        let factory = DescribedMetricsFactory(registry: registry, help: Self.help, timerBuckets: [])
        self.factory = factory
        self.queueDepth = CoreMetrics.Gauge(label: Name.queueDepth, factory: factory)
        self.spooledBytes = CoreMetrics.Gauge(label: Name.spooledBytes, factory: factory)
        spooledBytes.record(0)
    }

    /// Records the scrape-time gauges, then renders the Prometheus text exposition.
    func exposition(queueDepth depth: Int, spooledBytes bytes: Int = 0) -> [UInt8] {
        queueDepth.record(depth)
        spooledBytes.record(bytes)
        return registry.emitToBuffer()
    }
}
