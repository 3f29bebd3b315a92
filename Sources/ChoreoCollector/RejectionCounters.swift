import Metrics
import ChoreoServer

/// Counts of what ingest rejected, by reason, exported as `choreo_collector_rejected_total{reason}`.
/// Nothing is dropped without being counted here.
///
/// Units (also in the metric's HELP): `malformed`, `body_too_large`, `too_many_spans` and
/// `unauthorized` count requests, since their spans are never stored; `invalid_span`,
/// `overloaded`, `shutting_down` and `store_failure` count spans.
public final class RejectionCounters: Sendable {
    /// Why a request or span was rejected.
    public enum Reason: String, Sendable, CaseIterable {
        /// 400: the body could not be decoded (requests).
        case malformed
        /// 413: the body is over the size limit, compressed or not (requests).
        case bodyTooLarge = "body_too_large"
        /// 413: more spans in one request than `--max-spans-per-request` (requests).
        case tooManySpans = "too_many_spans"
        /// Partial success: a span with an invalid id (spans).
        case invalidSpan = "invalid_span"
        /// 429: the ingest queue is full (spans).
        case overloaded
        /// 503: the collector is shutting down (spans).
        case shuttingDown = "shutting_down"
        /// 503: the store could not commit (spans).
        case storeFailure = "store_failure"
        /// 401: missing or wrong bearer token (requests).
        case unauthorized
    }

    private let counters: [Reason: MeteredCounter]

    /// Counters reporting to `factory` (none by default).
    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        var counters: [Reason: MeteredCounter] = [:]
        for reason in Reason.allCases {
            counters[reason] = MeteredCounter(
                label: CollectorMetrics.Name.rejected, dimensions: [("reason", reason.rawValue)], factory: factory
            )
        }
        self.counters = counters
    }

    /// Adds `n` rejections for a reason.
    public func count(_ reason: Reason, by n: Int = 1) {
        counters[reason]?.add(n)
    }

    /// The count for a reason.
    public func value(_ reason: Reason) -> Int {
        counters[reason]?.value ?? 0
    }
}
