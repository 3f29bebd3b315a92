import ChoreoModel
import ChoreoTracer
import OrderFulfilment

/// Hands every finished span on as its service's skewed clock would have recorded it
/// (`--clock-skew`): the recorded times move, nothing sleeps and nothing else changes.
struct ClockSkewProcessor: SpanProcessor {
    let wrapped: any SpanProcessor
    let skews: ClockSkewSettings

    func onEnd(_ span: SpanRecord) { wrapped.onEnd(skews.skewed(span)) }
    func forceFlush() async { await wrapped.forceFlush() }
    func requestFlush() { wrapped.requestFlush() }
}
