import ChoreoModel
import ChoreoServer
import ChoreoOTLP
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Takes batches off the ``SpanQueue`` or the disk ``Spool`` and forwards them, in order,
/// gzip-compressed.
///
/// A batch leaves when it holds ``AgentConfiguration/batchMaxSpans`` spans or when its first
/// span has waited ``AgentConfiguration/batchMaxDelay``, and never exceeds
/// ``AgentConfiguration/upstream`` by spans or bytes. A retryable failure is retried with
/// exponential backoff and equal jitter (honouring `Retry-After`) until it succeeds; meanwhile
/// the queue fills and the receiver pushes back with 503. A 413 splits the batch and resends
/// its pieces in order; only a single span refused as too large is dropped. Another permanent
/// rejection (e.g. 400) is logged and counted as dropped. On graceful shutdown it keeps forwarding for
/// ``AgentConfiguration/shutdownGrace``; what is still queued in memory after that is counted
/// as dropped, what is in the spool stays there for the next start. With a spool, the spool's
/// cursor moves only after the next hop accepted a batch, and an ``SpoolFsyncPolicy/interval``
/// policy is ticked here.
public final class Forwarder<C: Clock>: Service, Sendable where C.Duration == Duration {
    /// Totals since start (the same numbers `/metrics` reports).
    public struct Counters: Sendable, Equatable {
        /// Spans the next hop accepted (`choreo_agent_spans_sent_total`).
        public var sentSpans = 0
        /// Batches the next hop accepted (`choreo_agent_batches_sent_total`).
        public var sentBatches = 0
        /// Retried attempts (`choreo_agent_retries_total`).
        public var retries = 0
        /// Spans refused for good by the next hop, e.g. with 400, or a single span with 413
        /// (`choreo_agent_spans_dropped_total{reason="rejected"}`).
        public var droppedRejected = 0
        /// Spans still queued when shutdown gave up (`choreo_agent_spans_dropped_total{reason="shutdown"}`).
        public var droppedShutdown = 0
    }

    let source: any ForwardingSource
    let spool: Spool?
    let sender: any BatchSender
    let configuration: AgentConfiguration
    let clock: C
    let logger: Logger
    let shuttingDown = Atomic<Bool>(false)
    let sentSpans: MeteredCounter
    let sentBatches: MeteredCounter
    let retries: MeteredCounter
    let droppedRejected: MeteredCounter
    let droppedShutdown: MeteredCounter
    let jitter = Mutex(SplitMix64(seed: 0x9E37_79B9_7F4A_7C15))

    /// A forwarder taking spans from the in-memory `queue` (no disk spool).
    ///
    /// - Parameter metrics: where the forwarding counters go (``AgentMetrics/factory``; none by default).
    public convenience init(
        queue: SpanQueue, sender: any BatchSender, configuration: AgentConfiguration, clock: C, logger: Logger,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        self.init(source: queue, spool: nil, sender: sender, configuration: configuration, clock: clock, logger: logger, metrics: metrics)
    }

    /// A forwarder reading from the disk `spool`: it moves the spool's cursor after each
    /// accepted batch, and on shutdown leaves what it could not send in the spool.
    public convenience init(
        spool: Spool, sender: any BatchSender, configuration: AgentConfiguration, clock: C, logger: Logger,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        self.init(source: spool, spool: spool, sender: sender, configuration: configuration, clock: clock, logger: logger, metrics: metrics)
    }

    init(
        source: any ForwardingSource, spool: Spool?, sender: any BatchSender, configuration: AgentConfiguration, clock: C,
        logger: Logger, metrics: any MetricsFactory
    ) {
        self.source = source
        self.spool = spool
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

    /// True once graceful shutdown began.
    var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }

    /// Totals since start.
    public var stats: Counters {
        Counters(
            sentSpans: sentSpans.value, sentBatches: sentBatches.value, retries: retries.value,
            droppedRejected: droppedRejected.value, droppedShutdown: droppedShutdown.value
        )
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                if let spool, spool.configuration.fsync == .interval {
                    group.addTask { await self.syncPeriodically(spool) }
                }
                await self.loop()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.shuttingDown.store(true, ordering: .relaxed)
            self.source.wakeUp()
        }
        if let spool {
            let left = spool.pendingSpans
            spool.close()
            if left > 0 { logger.notice("stopped with \(left) spans in the spool; they are sent after the next start") }
        }
        await sender.shutdown()
    }

    /// The ``SpoolFsyncPolicy/interval`` tick.
    private func syncPeriodically(_ spool: Spool) async {
        while !Task.isCancelled {
            do {
                try await clock.sleep(for: spool.configuration.fsyncInterval)
                try spool.sync()
            } catch let error as SpoolError {
                logger.error("cannot sync the spool", metadata: ["error": "\(error)"])
            } catch {
                return
            }
        }
    }

    private func loop() async {
        var deadline: C.Instant?
        while true {
            if Task.isCancelled {
                let left = source.abandon()
                droppedShutdown.add(left)
                if left > 0 { logger.error("cancelled with \(left) spans queued; dropped") }
                return
            }
            if source.pendingSpans == 0 {
                if shuttingDown.load(ordering: .relaxed) { return }
                await source.waitForSpans()
                continue
            }
            if shuttingDown.load(ordering: .relaxed) {
                deadline = deadline ?? clock.now.advanced(by: configuration.shutdownGrace)
                if source.isDurable, let deadline, clock.now >= deadline { return }
            } else if source.pendingSpans < configuration.batchMaxSpans {
                // Let the batch fill for at most batchMaxDelay.
                try? await clock.sleep(for: configuration.batchMaxDelay)
            }
            let maxSpans = min(configuration.batchMaxSpans, configuration.upstream.maxSpansPerRequest)
            guard let batch = source.next(maxSpans: maxSpans, maxBytes: configuration.upstream.maxDecompressedBytes) else { continue }
            guard await forward(batch, deadline: &deadline) else { return }
        }
    }
}
