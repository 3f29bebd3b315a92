/// How ``BatchSpanProcessor`` batches: queue bound, batch size and export interval.
///
/// The defaults are OpenTelemetry's batch span processor defaults except the interval, which
/// is shorter (500 ms instead of 5 s) so that flows show up quickly.
public struct BatchSpanProcessorConfiguration: Hashable, Sendable {
    /// The most spans held while waiting for export; more are dropped and counted.
    public var maxQueueSize: Int
    /// The most spans in one export; a full batch is exported at once.
    public var maxExportBatchSize: Int
    /// The longest a queued span waits before an export of whatever is queued.
    public var scheduleDelay: Duration

    /// A configuration; see the properties for the meaning of each value.
    public init(maxQueueSize: Int = 8192, maxExportBatchSize: Int = 512, scheduleDelay: Duration = .milliseconds(500)) {
        self.maxQueueSize = maxQueueSize
        self.maxExportBatchSize = maxExportBatchSize
        self.scheduleDelay = scheduleDelay
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
    }
}
