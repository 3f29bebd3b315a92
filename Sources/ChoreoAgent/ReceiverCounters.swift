import ChoreoServer
import Metrics

/// What the receiver took in and turned away; each count is also a `/metrics` counter.
public final class ReceiverCounters: Sendable {
    /// Why the receiver refused a request (`choreo_agent_requests_rejected_total{reason}`).
    public enum RejectionReason: String, Sendable, CaseIterable {
        /// The body could not be decoded (400).
        case malformed
        /// The body, as received or decompressed, is over the limit (413).
        case tooLarge = "too_large"
        /// No or a wrong bearer token (401).
        case unauthorized
    }

    /// Totals since start.
    public struct Values: Sendable, Equatable {
        /// Spans queued (`choreo_agent_spans_received_total`).
        public var receivedSpans = 0
        /// Requests refused, by reason.
        public var rejected: [RejectionReason: Int] = [:]
        /// Spans refused with 503 because the queue was full (`choreo_agent_spans_dropped_total{reason="queue_full"}`).
        public var refusedSpans = 0

        /// Requests refused for any reason.
        public var rejectedRequests: Int { rejected.values.reduce(0, +) }
    }

    private let receivedSpans: MeteredCounter
    private let refusedSpans: MeteredCounter
    private let rejections: [RejectionReason: MeteredCounter]

    /// Counters reporting to `factory` (none by default).
    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        receivedSpans = MeteredCounter(label: AgentMetrics.Name.spansReceived, factory: factory)
        refusedSpans = MeteredCounter(label: AgentMetrics.Name.spansDropped, dimensions: [("reason", "queue_full")], factory: factory)
        var rejections: [RejectionReason: MeteredCounter] = [:]
        for reason in RejectionReason.allCases {
            rejections[reason] = MeteredCounter(
                label: AgentMetrics.Name.requestsRejected, dimensions: [("reason", reason.rawValue)], factory: factory
            )
        }
        self.rejections = rejections
    }

    /// Totals since start.
    public var snapshot: Values {
        Values(
            receivedSpans: receivedSpans.value,
            rejected: rejections.mapValues(\.value),
            refusedSpans: refusedSpans.value
        )
    }

    func received(spans: Int) { receivedSpans.add(spans) }

    func rejected(_ reason: RejectionReason) { rejections[reason]?.add() }

    func refused(spans: Int) { refusedSpans.add(spans) }
}
