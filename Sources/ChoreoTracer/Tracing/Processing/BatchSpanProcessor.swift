import ChoreoModel
import Logging
import ServiceLifecycle
import Synchronization

/// Queues finished spans and exports them in batches: when a batch is full, and every
/// `scheduleDelay` for whatever is queued.
///
/// A `Service`: run it in a `ServiceGroup` (or call ``run()`` in a task). The queue is bounded;
/// when it is full, ``onEnd(_:)`` drops the span and counts it, so ending a span never blocks.
/// At most one export is in flight. On graceful shutdown (or ``shutdown()``) everything queued is
/// exported, then the exporter is shut down. Time comes from the injected clock.
public final class BatchSpanProcessor<C: Clock>: SpanProcessor, Service, Sendable where C.Duration == Duration {
    private let exporter: any SpanExporter
    private let configuration: BatchSpanProcessorConfiguration
    private let clock: C
    private let logger: Logger
    private let state: Mutex<BatchProcessorState>
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    /// A processor exporting through `exporter`, timed by `clock`.
    ///
    /// The configuration must be valid (see ``BatchSpanProcessorConfiguration/validate()``).
    public init(
        exporter: any SpanExporter,
        configuration: BatchSpanProcessorConfiguration = .init(),
        clock: C,
        logger: Logger = Logger(label: "choreo.tracer.batch-span-processor")
    ) {
        self.exporter = exporter
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        state = Mutex(BatchProcessorState(configuration: configuration))
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Exported, dropped, failed and queued span counts.
    public var counters: BatchSpanProcessorCounters {
        state.withLock { $0.snapshot }
    }

    /// Queues a finished span, or drops and counts it when the queue is full. Never blocks.
    public func onEnd(_ span: SpanRecord) {
        if state.withLock({ $0.enqueue(span) }) { wake.yield() }
    }

    /// Asks for an export of everything queued, without waiting.
    public func requestFlush() {
        state.withLock { $0.requestFlush() }
        wake.yield()
    }

    /// Returns when every span queued before the call has been exported or has failed for good.
    ///
    /// Waits for ``run()`` to be running; returns at once after the processor stopped.
    public func forceFlush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if state.withLock({ $0.addWaiter(continuation) }) {
                wake.yield()
            } else {
                continuation.resume()
            }
        }
    }

    /// Stops the processor as a graceful shutdown does: the queue is exported, then ``run()`` returns.
    public func shutdown() {
        state.withLock { $0.beginShutdown() }
        wake.finish()
    }

    /// Runs the export loop until graceful shutdown, ``shutdown()`` or cancellation, then exports
    /// what is left and shuts the exporter down.
    public func run() async throws {
        guard state.withLock({ $0.start() }) else {
            throw ChoreoTracerError(code: .alreadyStarted, message: "BatchSpanProcessor.run() may be called only once")
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.runTimer() }
                for await _ in wakeups {
                    await exportDueBatches()
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.shutdown()
        }
        await exportDueBatches(final: true)
        await exporter.shutdown()
        resume(state.withLock { $0.takeSatisfiedWaiters() })
        logger.debug("Batch span processor stopped", metadata: ["counters": "\(counters)"])
    }

    /// Ticks every `scheduleDelay` on the injected clock until cancelled.
    private func runTimer() async {
        var deadline = clock.now.advanced(by: configuration.scheduleDelay)
        while !Task.isCancelled {
            do {
                try await clock.sleep(until: deadline, tolerance: nil)
            } catch {
                return
            }
            deadline = deadline.advanced(by: configuration.scheduleDelay)
            if deadline < clock.now {
                deadline = clock.now.advanced(by: configuration.scheduleDelay)
            }
            state.withLock { $0.markTimerDue() }
            wake.yield()
            reportDrops()
        }
    }

    /// Exports batches while any is due; with `final`, everything, then stops accepting spans.
    private func exportDueBatches(final: Bool = false) async {
        while let batch = state.withLock({ $0.nextBatch(final: final) }) {
            let succeeded: Bool
            do {
                try await exporter.export(batch)
                succeeded = true
            } catch {
                succeeded = false
                logger.warning(
                    "Span export failed; the batch is lost",
                    metadata: ["batch_size": "\(batch.count)", "error": "\(error)"]
                )
            }
            resume(state.withLock { $0.finishExport(count: batch.count, succeeded: succeeded) })
        }
        resume(state.withLock { $0.takeSatisfiedWaiters() })
    }

    private func reportDrops() {
        let dropped = state.withLock { $0.takeDropReport() }
        guard dropped > 0 else { return }
        logger.warning(
            "Span queue full; spans dropped",
            metadata: ["dropped": "\(dropped)", "max_queue_size": "\(configuration.maxQueueSize)"]
        )
    }

    private func resume(_ continuations: [CheckedContinuation<Void, Never>]) {
        for continuation in continuations { continuation.resume() }
    }
}

extension BatchSpanProcessor where C == ContinuousClock {
    /// A processor timed by the continuous clock.
    public convenience init(
        exporter: any SpanExporter,
        configuration: BatchSpanProcessorConfiguration = .init(),
        logger: Logger = Logger(label: "choreo.tracer.batch-span-processor")
    ) {
        self.init(exporter: exporter, configuration: configuration, clock: ContinuousClock(), logger: logger)
    }
}
