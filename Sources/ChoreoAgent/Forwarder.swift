import ChoreoServer
import ChoreoOTLP
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Takes batches off the ``SpanQueue`` and forwards them, in order, gzip-compressed.
///
/// A batch leaves when it holds ``AgentConfiguration/batchMaxSpans`` spans or when its first
/// span has waited ``AgentConfiguration/batchMaxDelay``. A retryable failure is retried with
/// exponential backoff and full jitter (honouring `Retry-After`) until it succeeds; meanwhile
/// the queue fills and the receiver pushes back with 503. A permanent rejection (e.g. 400) is
/// logged and counted as dropped. On graceful shutdown it keeps forwarding for
/// ``AgentConfiguration/shutdownGrace``; what is still queued after that is counted as dropped.
public final class Forwarder<C: Clock>: Service, Sendable where C.Duration == Duration {
    /// Totals since start (the same numbers `/metrics` reports).
    public struct Counters: Sendable, Equatable {
        /// Spans the next hop accepted (`choreo_agent_spans_sent_total`).
        public var sentSpans = 0
        /// Batches the next hop accepted (`choreo_agent_batches_sent_total`).
        public var sentBatches = 0
        /// Retried attempts (`choreo_agent_retries_total`).
        public var retries = 0
        /// Spans refused for good by the next hop (`choreo_agent_spans_dropped_total{reason="rejected"}`).
        public var droppedRejected = 0
        /// Spans still queued when shutdown gave up (`choreo_agent_spans_dropped_total{reason="shutdown"}`).
        public var droppedShutdown = 0
    }

    private let queue: SpanQueue
    private let sender: any BatchSender
    private let configuration: AgentConfiguration
    private let clock: C
    private let logger: Logger
    private let shuttingDown = Atomic<Bool>(false)
    private let sentSpans: MeteredCounter
    private let sentBatches: MeteredCounter
    private let retries: MeteredCounter
    private let droppedRejected: MeteredCounter
    private let droppedShutdown: MeteredCounter
    private let jitter = Mutex(SplitMix64(seed: 0x9E37_79B9_7F4A_7C15))

    /// - Parameter metrics: where the forwarding counters go (``AgentMetrics/factory``; none by default).
    public init(
        queue: SpanQueue, sender: any BatchSender, configuration: AgentConfiguration, clock: C, logger: Logger,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        self.queue = queue
        self.sender = sender
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.sentSpans = MeteredCounter(label: AgentMetrics.Name.spansSent, factory: metrics)
        self.sentBatches = MeteredCounter(label: AgentMetrics.Name.batchesSent, factory: metrics)
        self.retries = MeteredCounter(label: AgentMetrics.Name.retries, factory: metrics)
        self.droppedRejected = MeteredCounter(label: AgentMetrics.Name.spansDropped, dimensions: [("reason", "rejected")], factory: metrics)
        self.droppedShutdown = MeteredCounter(label: AgentMetrics.Name.spansDropped, dimensions: [("reason", "shutdown")], factory: metrics)
    }

    /// Totals since start.
    public var stats: Counters {
        Counters(
            sentSpans: sentSpans.value, sentBatches: sentBatches.value, retries: retries.value,
            droppedRejected: droppedRejected.value, droppedShutdown: droppedShutdown.value
        )
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await self.loop()
        } onGracefulShutdown: {
            self.shuttingDown.store(true, ordering: .relaxed)
            self.queue.wakeUp()
        }
        await sender.shutdown()
    }

    private func loop() async {
        var deadline: C.Instant?
        while true {
            if Task.isCancelled {
                let left = queue.take(maxSpans: .max).reduce(0) { $0 + $1.spanCount }
                droppedShutdown.add(left)
                if left > 0 { logger.error("cancelled with \(left) spans queued; dropped") }
                return
            }
            if queue.depth == 0 {
                if shuttingDown.load(ordering: .relaxed) { return }
                await queue.waitForSpans()
                continue
            }
            if shuttingDown.load(ordering: .relaxed) {
                deadline = deadline ?? clock.now.advanced(by: configuration.shutdownGrace)
            } else if queue.depth < configuration.batchMaxSpans {
                // Let the batch fill for at most batchMaxDelay.
                try? await clock.sleep(for: configuration.batchMaxDelay)
            }
            let chunks = queue.take(maxSpans: configuration.batchMaxSpans)
            if chunks.isEmpty { continue }
            await forward(chunks, deadline: &deadline)
        }
    }

    /// Sends one batch until it is accepted, rejected for good, or the shutdown deadline passes.
    private func forward(_ chunks: [SpanChunk], deadline: inout C.Instant?) async {
        let spanCount = chunks.reduce(0) { $0 + $1.spanCount }
        var request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest()
        request.resourceSpans = chunks.flatMap(\.resourceSpans)
        let body: [UInt8]
        do {
            body = Gzip.compress(try request.serializedBytes())
        } catch {
            droppedRejected.add(spanCount)
            logger.error("dropped \(spanCount) spans: cannot encode them", metadata: ["error": "\(error)"])
            return
        }
        var backoff = configuration.initialBackoff
        while true {
            switch await sender.send(body) {
            case .accepted:
                sentSpans.add(spanCount)
                sentBatches.add()
                return
            case .permanent(let reason):
                droppedRejected.add(spanCount)
                logger.error("the collector rejected \(spanCount) spans for good; dropped", metadata: ["reason": "\(reason)"])
                return
            case .retryable(let reason, let retryAfter):
                if shuttingDown.load(ordering: .relaxed) {
                    deadline = deadline ?? clock.now.advanced(by: configuration.shutdownGrace)
                }
                if Task.isCancelled || deadline.map({ clock.now >= $0 }) == true {
                    droppedShutdown.add(spanCount)
                    logger.error("shutting down with the collector unreachable; dropped \(spanCount) spans", metadata: ["reason": "\(reason)"])
                    return
                }
                retries.add()
                logger.warning("forwarding failed; retrying", metadata: ["reason": "\(reason)", "spans": "\(spanCount)"])
                let wait = retryAfter ?? jittered(backoff)
                backoff = min(backoff * 2, configuration.maxBackoff)
                try? await clock.sleep(for: wait)
            }
        }
    }

    /// Full jitter: a random wait between half the backoff and the backoff.
    private func jittered(_ backoff: Duration) -> Duration {
        let fraction = jitter.withLock { Double($0.next() % 1_000_000) / 1_000_000 }
        return backoff * (0.5 + fraction / 2)
    }
}

/// A tiny deterministic generator for jitter (no system randomness per call).
struct SplitMix64: Sendable {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
