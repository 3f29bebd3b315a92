import ChoreoModel

/// Receives every finished span from ``ChoreoTracer``.
///
/// ``onEnd(_:)`` is called on the thread that ended the span, so it must return at once: queue
/// the span, never wait for I/O. The span is read-only by then; convert it to a record only
/// where one is needed (exporting), not here.
public protocol SpanProcessor: Sendable {
    /// Takes a finished span. Must not block; a full queue drops (and counts) instead.
    func onEnd(_ span: any ReadableSpan)

    /// Returns when every span handed to ``onEnd(_:)`` before the call has been exported (or
    /// its export has failed for good).
    func forceFlush() async

    /// Asks for a flush without waiting for it (for the synchronous `Tracer.forceFlush()`).
    func requestFlush()
}
