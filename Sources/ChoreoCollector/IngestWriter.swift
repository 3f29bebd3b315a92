import ChoreoModel
import ChoreoStore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import ChoreoServer

/// Why the ingest writer refused spans.
public struct IngestError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The queue of spans waiting to be committed is full: retry later (HTTP 429).
        case overloaded
        /// The collector is shutting down (HTTP 503).
        case shuttingDown
    }

    public var code: Code
    public var message: String

    public var description: String { message }
}

/// Group commit: concurrent ingest requests hand their spans to one writer loop, which commits
/// everything waiting in one transaction and then acknowledges each request.
///
/// A request's ``submit(_:)`` returns only after its spans are committed (durable), so the HTTP
/// answer is an honest acknowledgement. The queue is bounded in spans: past
/// ``CollectorConfiguration/ingestQueueCapacity`` a submit fails at once with `.overloaded`
/// (the route answers 429 with `Retry-After`) instead of growing without bound; once closing,
/// with `.shuttingDown` (503). A request arriving at an empty queue is always taken, so at most
/// `max(capacity, largest request)` spans wait.
///
/// Up to `commitsInFlight` commits run at once (2 by default): while one is in the store's
/// transaction, the next one takes what waits and prepares it (the SQLite store encodes its
/// rows before it queues for the single writer), so the writer goes from one transaction to the
/// next without waiting for the loop. Each request is still acknowledged only after its own
/// commit; a request is in exactly one commit.
public final class IngestWriter: Service, Sendable {
    private struct Pending {
        var spans: [SpanRecord]
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var pendingSpans = 0
        var wakeUp: CheckedContinuation<Void, Never>?
        var closed = false
    }

    private let store: any SpanStore
    private let capacity: Int
    private let maxSpansPerCommit: Int
    private let commitsInFlight: Int
    private let logger: Logger
    private let state = Mutex(State())
    private let committedSpans: MeteredCounter
    private let commits: MeteredCounter
    private let commitDuration: Metrics.Timer

    /// Totals since start (the same numbers `/metrics` reports).
    ///
    /// Refusals and failed commits are counted once, by the ingest route, as
    /// ``RejectionCounters`` (`overloaded`, `store_failure`).
    public struct Counters: Sendable {
        /// Spans committed and acknowledged (`choreo_collector_spans_ingested_total`).
        public var committedSpans = 0
        /// Transactions committed (`choreo_collector_commits_total`).
        public var commits = 0
    }

    /// - Parameter metrics: where the ingest counters and the commit-latency histogram go
    ///   (``CollectorMetrics/factory``; none by default).
    /// - Parameter commitsInFlight: commits that may run at once (at least 1).
    public init(
        store: any SpanStore, capacity: Int, maxSpansPerCommit: Int, commitsInFlight: Int = 2, logger: Logger,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        self.store = store
        self.capacity = capacity
        self.maxSpansPerCommit = maxSpansPerCommit
        self.commitsInFlight = max(1, commitsInFlight)
        self.logger = logger
        self.committedSpans = MeteredCounter(label: CollectorMetrics.Name.spansIngested, factory: metrics)
        self.commits = MeteredCounter(label: CollectorMetrics.Name.commits, factory: metrics)
        self.commitDuration = Metrics.Timer(label: CollectorMetrics.Name.commitDuration, factory: metrics)
    }

    /// Totals since start.
    public var stats: Counters { Counters(committedSpans: committedSpans.value, commits: commits.value) }

    /// Spans waiting to be committed.
    public var queueDepth: Int { state.withLock { $0.pendingSpans } }

    /// Commits running now.
    private let committing = Atomic<Int>(0)

    /// True while spans wait to be committed or a commit runs: the flow indexer puts off its
    /// passes then (``CollectorConfiguration/indexMaxDeferral``).
    public var isBusy: Bool { committing.load(ordering: .relaxed) > 0 || state.withLock { $0.pendingSpans > 0 } }

    /// False once closing (graceful shutdown): submits are refused with `.shuttingDown`.
    public var isAccepting: Bool { state.withLock { !$0.closed } }

    /// Queues spans and returns once they are committed; throws ``IngestError`` when full or
    /// closing, or the store's error when the commit failed (nothing was acknowledged then).
    public func submit(_ spans: [SpanRecord]) async throws {
        guard !spans.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome: Result<CheckedContinuation<Void, Never>?, IngestError> = state.withLock { state in
                if state.closed {
                    return .failure(IngestError(code: .shuttingDown, message: "the collector is shutting down"))
                }
                if state.pendingSpans > 0, state.pendingSpans + spans.count > capacity {
                    return .failure(
                        IngestError(
                            code: .overloaded,
                            message: "ingest queue full (\(state.pendingSpans) spans waiting, capacity \(capacity))"
                        ))
                }
                state.pending.append(Pending(spans: spans, continuation: continuation))
                state.pendingSpans += spans.count
                defer { state.wakeUp = nil }
                return .success(state.wakeUp)
            }
            switch outcome {
            case .success(let wakeUp):
                wakeUp?.resume()
            case .failure(let error):
                continuation.resume(throwing: error)
            }
        }
    }

    /// Runs the writer loop until graceful shutdown; drains what is queued before returning.
    ///
    /// Cancellation (the service group failed, e.g. the server could not bind) closes the writer
    /// too, so the loop ends instead of waiting for spans that will never come.
    public func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withTaskGroup(of: Void.self) { group in
                    // Room for a commit first, then the batch: what arrives while every commit
                    // is busy joins the next one instead of making one of its own.
                    var inFlight = 0
                    while true {
                        if inFlight == self.commitsInFlight {
                            await group.next()
                            inFlight -= 1
                        }
                        guard let batch = await self.nextBatch() else { break }
                        group.addTask { await self.commit(batch) }
                        inFlight += 1
                    }
                }
            } onGracefulShutdown: {
                self.close()
            }
        } onCancel: {
            self.close()
        }
    }

    /// Stops accepting spans; the loop drains what is queued, then ends.
    public func close() {
        let wakeUp = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.wakeUp = nil }
            return state.wakeUp
        }
        wakeUp?.resume()
    }

    /// Waits for queued requests and takes up to `maxSpansPerCommit` spans' worth (at least one
    /// request); nil once closed and drained.
    private func nextBatch() async -> [Pending]? {
        while true {
            enum Next { case batch([Pending]), done, wait }
            let next: Next = state.withLock { state in
                if !state.pending.isEmpty {
                    var taken = 0
                    var count = 0
                    for p in state.pending {
                        if count > 0, count + p.spans.count > maxSpansPerCommit { break }
                        count += p.spans.count
                        taken += 1
                    }
                    let batch = Array(state.pending.prefix(taken))
                    state.pending.removeFirst(taken)
                    state.pendingSpans -= count
                    return .batch(batch)
                }
                return state.closed ? .done : .wait
            }
            switch next {
            case .batch(let batch): return batch
            case .done: return nil
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        if !state.pending.isEmpty || state.closed { return true }
                        state.wakeUp = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }

    private func commit(_ batch: [Pending]) async {
        committing.add(1, ordering: .relaxed)
        defer { committing.subtract(1, ordering: .relaxed) }
        let spans = batch.flatMap(\.spans)
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try await store.append(spans)
            commitDuration.record(duration: start.duration(to: clock.now))
            commits.add()
            committedSpans.add(spans.count)
            for p in batch { p.continuation.resume() }
        } catch {
            logger.error("commit of \(spans.count) spans failed; answering 503 so senders retry", metadata: ["error": "\(error)"])
            for p in batch { p.continuation.resume(throwing: error) }
        }
    }
}
