import ChoreoModel
import ChoreoTracer
import OrderFulfilment

/// Hands every finished span on as its service's skewed clock would have recorded it
/// (`--clock-skew`): the recorded times move, nothing sleeps and nothing else changes.
struct ClockSkewProcessor: SpanProcessor {
    let wrapped: any SpanProcessor
    let skews: ClockSkewSettings

    func onEnd(_ span: any ReadableSpan) { wrapped.onEnd(skews.skewed(span.record)) }
    func forceFlush() async { await wrapped.forceFlush() }
    func requestFlush() { wrapped.requestFlush() }
}
