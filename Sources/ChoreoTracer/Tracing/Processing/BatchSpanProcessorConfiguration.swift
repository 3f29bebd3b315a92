/// How ``BatchSpanProcessor`` batches: queue bound, batch size, export interval, how it holds
/// and retries batches the endpoint could not take, and how long shutdown may flush.
///
/// The batching defaults are OpenTelemetry's except the interval, which is shorter (500 ms
/// instead of 5 s) so that flows show up quickly, and the queue, which is larger (65,536
/// instead of 2,048) so that a burst of spans ends before the export loop catches up without
/// drops: a few tens of MiB at most.
public struct BatchSpanProcessorConfiguration: Hashable, Sendable {
    /// The most spans held while waiting for export; more are dropped and counted.
    public var maxQueueSize: Int
    /// The most spans in one export; a full batch is exported at once.
    public var maxExportBatchSize: Int
    /// The longest a queued span waits before an export of whatever is queued.
    public var scheduleDelay: Duration
    /// The most spans held in batches whose export failed retryably (the agent is down); past
    /// it the oldest such batch is dropped and counted (``BatchSpanProcessorCounters/evicted``).
    public var maxUnsentSpans: Int
    /// The wait before the first new attempt at unsent batches; it doubles per failure (with
    /// jitter) up to ``retryMaxBackoff``.
    public var retryInitialBackoff: Duration
    /// The longest wait between attempts at unsent batches.
    public var retryMaxBackoff: Duration
    /// At shutdown, how long the processor keeps trying to export; what is left after it is
    /// counted (``BatchSpanProcessorCounters/abandoned``) and logged.
    public var shutdownTimeout: Duration

    /// A configuration; see the properties for the meaning of each value.
    public init(
        maxQueueSize: Int = 65_536,
        maxExportBatchSize: Int = 512,
        scheduleDelay: Duration = .milliseconds(500),
        maxUnsentSpans: Int = 65_536,
        retryInitialBackoff: Duration = .seconds(1),
        retryMaxBackoff: Duration = .seconds(5),
        shutdownTimeout: Duration = .seconds(5)
    ) {
        self.maxQueueSize = maxQueueSize
        self.maxExportBatchSize = maxExportBatchSize
        self.scheduleDelay = scheduleDelay
        self.maxUnsentSpans = maxUnsentSpans
        self.retryInitialBackoff = retryInitialBackoff
        self.retryMaxBackoff = retryMaxBackoff
        self.shutdownTimeout = shutdownTimeout
    }

    /// Throws ``ChoreoTracerError`` (`invalid_configuration`) when a value is out of range.
    public func validate() throws {
        guard maxQueueSize >= 1 else {
            throw ChoreoTracerError.invalidConfiguration("maxQueueSize must be at least 1 (got \(maxQueueSize))")
        }
        guard (1...maxQueueSize).contains(maxExportBatchSize) else {
            throw ChoreoTracerError.invalidConfiguration(
                "maxExportBatchSize must be between 1 and maxQueueSize \(maxQueueSize) (got \(maxExportBatchSize))"
            )
        }
        guard scheduleDelay > .zero else {
            throw ChoreoTracerError.invalidConfiguration("scheduleDelay must be positive (got \(scheduleDelay))")
        }
        guard maxUnsentSpans >= 0 else {
            throw ChoreoTracerError.invalidConfiguration("maxUnsentSpans must not be negative (got \(maxUnsentSpans))")
        }
        guard retryInitialBackoff > .zero, retryMaxBackoff >= retryInitialBackoff else {
            throw ChoreoTracerError.invalidConfiguration(
                "retry backoff must satisfy 0 < retryInitialBackoff <= retryMaxBackoff (got \(retryInitialBackoff), \(retryMaxBackoff))"
            )
        }
        guard shutdownTimeout >= .zero else {
            throw ChoreoTracerError.invalidConfiguration("shutdownTimeout must not be negative (got \(shutdownTimeout))")
        }
    }
}
