/// The counters of a ``BatchSpanProcessor``, for tests and metrics.
///
/// Every span handed to the processor ends up in exactly one of ``exported``, ``dropped``,
/// ``failed``, ``evicted`` or ``abandoned``, or is still ``queued`` or ``unsent``.
public struct BatchSpanProcessorCounters: Hashable, Sendable {
    /// Spans delivered by the exporter.
    public var exported: UInt64 = 0
    /// Spans refused because the queue was full or the processor had stopped.
    public var dropped: UInt64 = 0
    /// Spans whose export failed for good (rejected by the receiver, or not encodable).
    public var failed: UInt64 = 0
    /// Spans waiting in the queue now.
    public var queued: Int = 0
    /// Spans held for a later attempt because the endpoint could not take them (now).
    public var unsent: Int = 0
    /// Unsent spans dropped, oldest batch first, because ``BatchSpanProcessorConfiguration/maxUnsentSpans`` was reached.
    public var evicted: UInt64 = 0
    /// Spans still queued or unsent when the shutdown timeout ran out.
    public var abandoned: UInt64 = 0

    /// Counters with the given values (all zero by default).
    public init(
        exported: UInt64 = 0, dropped: UInt64 = 0, failed: UInt64 = 0, queued: Int = 0,
        unsent: Int = 0, evicted: UInt64 = 0, abandoned: UInt64 = 0
    ) {
        self.exported = exported
        self.dropped = dropped
        self.failed = failed
        self.queued = queued
        self.unsent = unsent
        self.evicted = evicted
        self.abandoned = abandoned
    }
}
