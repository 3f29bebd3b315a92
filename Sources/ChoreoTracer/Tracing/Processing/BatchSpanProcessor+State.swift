import ChoreoModel

/// The pure state of ``BatchSpanProcessor``: what to export next, and when a flush is done.
///
/// No I/O and no clock, so every decision is testable directly. Guarded by the processor's lock.
package struct BatchProcessorState {
    package enum Phase { case idle, running, shuttingDown, stopped }

    struct FlushWaiter {
        /// Done when this many accepted spans have completed export.
        var target: UInt64
        var continuation: CheckedContinuation<Void, Never>
    }

    package let maxBatchSize: Int
    package let maxUnsentSpans: Int
    /// Batches whose export failed retryably, oldest first, waiting for another attempt.
    package internal(set) var unsent: [[any ReadableSpan]] = []
    package internal(set) var unsentSpans = 0
    package internal(set) var phase = Phase.idle
    package internal(set) var queue: SpanQueue<any ReadableSpan>
    package internal(set) var counters = BatchSpanProcessorCounters()
    /// Spans accepted into the queue, ever.
    package private(set) var accepted: UInt64 = 0
    /// Accepted spans whose export finished, successfully or not.
    package internal(set) var completed: UInt64 = 0
    package private(set) var droppedSinceReport: UInt64 = 0
    private var started = false
    private var timerDue = false
    private var flushRequested = false
    private var waiters: [FlushWaiter] = []
    /// The last batch whose export finished, kept so that the spans that end next release it, two
    /// in each `onEnd` (``takeFinished()``), on their own threads: spans freed a few at a time by
    /// the threads that make spans are reused from those threads' allocator caches, where a whole
    /// batch freed at once, or freed by the export task, made the threads contend for the
    /// allocator's lock (on two cores that tripled the tracer's CPU per span).
    private var finished: [any ReadableSpan] = []

    /// Keeps an exported batch for ``takeFinished()`` and returns what is left of the batch kept
    /// before it, for the caller to release outside the lock: at most one batch waits.
    package mutating func keepFinished(_ batch: [any ReadableSpan]) -> [any ReadableSpan] {
        let previous = finished
        finished = batch
        return previous
    }

    /// Up to two kept spans, to be released by the caller (outside the lock).
    package mutating func takeFinished() -> ((any ReadableSpan)?, (any ReadableSpan)?) {
        (finished.popLast(), finished.popLast())
    }

    /// Every kept span, to be released by the caller (outside the lock).
    package mutating func takeAllFinished() -> [any ReadableSpan] {
        defer { finished = [] }
        return finished
    }

    package init(configuration: BatchSpanProcessorConfiguration) {
        maxBatchSize = configuration.maxExportBatchSize
        maxUnsentSpans = configuration.maxUnsentSpans
        queue = SpanQueue(capacity: configuration.maxQueueSize, chunkSize: configuration.maxExportBatchSize)
    }

    /// Queues a span. Returns whether the run loop must be woken (a batch just became full);
    /// a span that does not fit, or arrives after the processor stopped, is dropped and counted.
    package mutating func enqueue(_ span: any ReadableSpan) -> Bool {
        guard phase != .stopped, queue.append(span) else {
            counters.dropped += 1
            droppedSinceReport += 1
            return false
        }
        accepted += 1
        return queue.count == maxBatchSize
    }

    /// Marks the run loop as started; false if it already was. A shutdown requested before
    /// the start is kept, so the loop only exports what is queued and stops.
    package mutating func start() -> Bool {
        guard !started else { return false }
        started = true
        if phase == .idle { phase = .running }
        return true
    }

    package mutating func beginShutdown() {
        if phase == .idle || phase == .running { phase = .shuttingDown }
    }

    package mutating func markTimerDue() { timerDue = true }

    package mutating func requestFlush() { flushRequested = true }

    /// The next batch to export: a full batch whenever there is one; everything queued when
    /// the timer fired, a flush is pending or the processor is stopping. `nil` when nothing is
    /// due; with `final`, an empty queue stops the processor for good.
    package mutating func nextBatch(final: Bool = false) -> [any ReadableSpan]? {
        let drainAll = final || phase == .shuttingDown || timerDue || flushRequested || !waiters.isEmpty
        if queue.count >= maxBatchSize || (drainAll && !queue.isEmpty) {
            return queue.removeFirst(upTo: maxBatchSize)
        }
        if queue.isEmpty {
            timerDue = false
            flushRequested = false
        }
        if final { phase = .stopped }
        return nil
    }

    /// Records the outcome of an export; returns the flush waiters that are now satisfied.
    package mutating func finishExport(count: Int, succeeded: Bool) -> [CheckedContinuation<Void, Never>] {
        if succeeded { counters.exported += UInt64(count) } else { counters.failed += UInt64(count) }
        completed += UInt64(count)
        return takeSatisfiedWaiters()
    }

    /// Registers a flush waiter; returns false (resume it now) when nothing is outstanding.
    package mutating func addWaiter(_ continuation: CheckedContinuation<Void, Never>) -> Bool {
        guard phase != .stopped, completed < accepted else { return false }
        waiters.append(FlushWaiter(target: accepted, continuation: continuation))
        return true
    }

    /// Removes and returns every waiter whose spans have all completed (all, once stopped).
    package mutating func takeSatisfiedWaiters() -> [CheckedContinuation<Void, Never>] {
        let done = waiters.filter { phase == .stopped || $0.target <= completed }
        waiters.removeAll { phase == .stopped || $0.target <= completed }
        return done.map(\.continuation)
    }

    /// The drops since the last report, resetting the count.
    package mutating func takeDropReport() -> UInt64 {
        defer { droppedSinceReport = 0 }
        return droppedSinceReport
    }

    /// A snapshot of the counters with the current queue and unsent lengths.
    package var snapshot: BatchSpanProcessorCounters {
        var result = counters
        result.queued = queue.count
        result.unsent = unsentSpans
        return result
    }
}
