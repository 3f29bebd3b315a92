/// The counters of a ``BatchSpanProcessor``, for tests and metrics.
public struct BatchSpanProcessorCounters: Hashable, Sendable {
    /// Spans delivered by the exporter.
    public var exported: UInt64 = 0
    /// Spans refused because the queue was full or the processor had stopped.
    public var dropped: UInt64 = 0
    /// Spans whose export failed for good (after the exporter's retries).
    public var failed: UInt64 = 0
    /// Spans waiting in the queue now.
    public var queued: Int = 0

    /// Counters with the given values (all zero by default).
    public init(exported: UInt64 = 0, dropped: UInt64 = 0, failed: UInt64 = 0, queued: Int = 0) {
        self.exported = exported
        self.dropped = dropped
        self.failed = failed
        self.queued = queued
    }
}
