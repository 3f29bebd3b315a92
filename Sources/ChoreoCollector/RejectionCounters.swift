import Metrics
import ChoreoServer

/// Counts of what ingest rejected, by reason, exported as `choreo_collector_rejected_total{reason}`.
/// Nothing is dropped without being counted here.
///
/// Units (also in the metric's HELP): `malformed`, `body_too_large` and `unauthorized` count
/// requests, since their spans are never decoded; `invalid_span`, `overloaded` and
/// `store_failure` count spans.
public final class RejectionCounters: Sendable {
    /// Why a request or span was rejected.
    public enum Reason: String, Sendable, CaseIterable {
        case malformed
        case bodyTooLarge = "body_too_large"
        case invalidSpan = "invalid_span"
        case overloaded
        case storeFailure = "store_failure"
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
