import ChoreoModel
import Logging
import ServiceLifecycle
import Synchronization

/// Queues finished spans and exports them in batches: when a batch is full (back to back while
/// the queue holds more than one batch), and every `scheduleDelay` for whatever is queued.
///
/// A `Service`: run it in a `ServiceGroup` (or call ``run()`` in a task). The queue is bounded;
/// when it is full, ``onEnd(_:)`` drops the span and counts it, so ending a span never blocks.
/// At most one export is in flight.
///
/// When the endpoint is unreachable (the exporter throws ``ChoreoTracerError`` with code
/// `export_retries_exhausted`), the batch is kept as *unsent* and retried with exponential
/// backoff and jitter; meanwhile due batches are set aside as unsent too, so the queue keeps
/// accepting spans. Unsent spans are bounded (`maxUnsentSpans`, oldest dropped and counted as
/// evicted). Any other export error is final: the batch is counted as failed.
///
/// On graceful shutdown (or ``shutdown()``) everything queued or unsent is exported for at most
/// `shutdownTimeout`; what is left then is counted as abandoned and logged, and the exporter is
/// shut down. Time comes from the injected clock.
public final class BatchSpanProcessor<C: Clock>: SpanProcessor, Service, Sendable where C.Duration == Duration {
    let exporter: any SpanExporter
    let configuration: BatchSpanProcessorConfiguration
    let clock: C
    let logger: Logger
    let state: Mutex<BatchProcessorState>
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let stopping: AsyncStream<Void>
    private let stop: AsyncStream<Void>.Continuation
    let retry: Mutex<RetrySchedule<C.Instant>>

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
        (stopping, stop) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        retry = Mutex(RetrySchedule(initial: configuration.retryInitialBackoff, max: configuration.retryMaxBackoff))
    }

    /// Exported, dropped, failed and queued span counts.
    public var counters: BatchSpanProcessorCounters {
        state.withLock { $0.snapshot }
    }

    /// Queues a finished span, or drops and counts it when the queue is full. Never blocks.
    ///
    /// Exported spans are released here, two per call, on the thread that ends spans (which made
    /// them), not on the export task (see ``BatchProcessorState/keepFinished(_:)``).
    public func onEnd(_ span: any ReadableSpan) {
        // Plain locals, released when the call returns (a tuple of existentials is destroyed
        // through the runtime's generic tuple witness, which showed in profiles).
        var full = false
        var exported: (any ReadableSpan)?
        var exportedToo: (any ReadableSpan)?
        state.withLock { state in
            full = state.enqueue(span)
            (exported, exportedToo) = state.takeFinished()
        }
        if full { wake.yield() }
        _ = (exported, exportedToo)
    }

    /// Asks for an export of everything queued, without waiting.
    public func requestFlush() {
        state.withLock { $0.requestFlush() }
        wake.yield()
    }

    /// Returns when every span queued before the call has been exported, has failed for good,
    /// or is held as unsent because the endpoint is unreachable (a flush never waits for it).
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
        stop.finish()
    }

    /// Runs the export loop until graceful shutdown, ``shutdown()`` or cancellation, then exports
    /// what is left for at most `shutdownTimeout` and shuts the exporter down.
    public func run() async throws {
        guard state.withLock({ $0.start() }) else {
            throw ChoreoTracerError(code: .alreadyStarted, message: "BatchSpanProcessor.run() may be called only once")
        }
        let drained = await withGracefulShutdownHandler {
            await withTaskGroup(of: RunTaskEnd.self) { group -> Bool in
                group.addTask {
                    await self.runTimer()
                    return .timer
                }
                group.addTask {
                    for await _ in self.wakeups { await self.exportDueBatches() }
                    await self.exportDueBatches(final: true)
                    return .drained
                }
                group.addTask {
                    for await _ in self.stopping {}
                    try? await self.clock.sleep(for: self.configuration.shutdownTimeout)
                    return .deadline
                }
                var drained = false
                while let finished = await group.next() {
                    if finished == .timer { continue }
                    drained = finished == .drained
                    break
                }
                group.cancelAll()
                return drained
            }
        } onGracefulShutdown: {
            self.shutdown()
        }
        // Whatever is still queued or unsent now (the timeout ran out, or run() was cancelled) is given up.
        let (left, _) = state.withLock { state in (state.abandonAll(), state.takeAllFinished()) }
        if left > 0 {
            logger.warning(
                "Tracer stopped with spans not exported",
                metadata: [
                    "not_exported": "\(left)", "shutdown_timeout": "\(configuration.shutdownTimeout)",
                    "timed_out": "\(!drained)", "endpoint_failing": "\(retry.withLock { $0.due != nil })",
                ]
            )
        }
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

    private func reportDrops() {
        let dropped = state.withLock { $0.takeDropReport() }
        guard dropped > 0 else { return }
        logger.warning(
            "Span queue full; spans dropped",
            metadata: ["dropped": "\(dropped)", "max_queue_size": "\(configuration.maxQueueSize)"]
        )
    }

    func resume(_ continuations: [CheckedContinuation<Void, Never>]) {
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
