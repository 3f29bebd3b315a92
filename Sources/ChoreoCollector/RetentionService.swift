import ChoreoModel
import ChoreoServer
import ChoreoStore
import Logging
import Metrics
import ServiceLifecycle

/// Deletes spans older than the retention window, in the background.
///
/// At start and then every ``interval`` it deletes the spans that started more than ``window``
/// ago, one chunk (``chunkSpans``) per transaction, yielding between chunks so that ingest
/// commits interleave and are never stalled for long. Flows whose last span goes are deleted
/// with it (see ``SpanRetention``). A failed sweep is logged and retried at the next interval.
/// Time is injected: `clock` paces the sweeps and `now` (Unix nanoseconds) places the cutoff.
public final class RetentionService<C: Clock>: Service, Sendable where C.Duration == Duration {
    /// How long spans are kept.
    public let window: Duration
    /// Time between sweeps.
    public let interval: Duration
    /// Spans per transaction, at most.
    public let chunkSpans: Int
    private let store: any SpanRetention
    private let clock: C
    private let now: @Sendable () -> UInt64
    private let logger: Logger
    private let deletedSpans: MeteredCounter
    private let deletedFlows: MeteredCounter

    /// - Parameter metrics: where `choreo_collector_retention_deleted_{spans,flows}_total` go.
    public init(
        store: any SpanRetention, window: Duration, interval: Duration, chunkSpans: Int = 5000, clock: C,
        now: @escaping @Sendable () -> UInt64 = UnixTime.nowNanos, logger: Logger,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        self.store = store
        self.window = window
        self.interval = interval
        self.chunkSpans = max(1, chunkSpans)
        self.clock = clock
        self.now = now
        self.logger = logger
        self.deletedSpans = MeteredCounter(label: CollectorMetrics.Name.retentionDeletedSpans, factory: metrics)
        self.deletedFlows = MeteredCounter(label: CollectorMetrics.Name.retentionDeletedFlows, factory: metrics)
    }

    /// Totals since start: spans and flows deleted.
    public var stats: RetentionChunk { RetentionChunk(deletedSpans: deletedSpans.value, deletedFlows: deletedFlows.value) }

    /// The cutoff now: spans that started before it are expired (0 while the window reaches
    /// back before 1970).
    public var cutoffUnixNano: UInt64 {
        let nanos = window.components.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanos.overflow, nanos.partialValue >= 0 else { return 0 }
        let windowNanos = UInt64(nanos.partialValue) + UInt64(window.components.attoseconds / 1_000_000_000)
        let current = now()
        return current > windowNanos ? current - windowNanos : 0
    }

    /// Deletes everything expired now, chunk by chunk; returns what this sweep deleted.
    @discardableResult
    public func sweep() async throws -> RetentionChunk {
        let cutoff = cutoffUnixNano
        var total = RetentionChunk()
        guard cutoff > 0 else { return total }
        while true {
            let chunk = try await store.deleteSpans(startedBefore: cutoff, limit: chunkSpans)
            deletedSpans.add(chunk.deletedSpans)
            deletedFlows.add(chunk.deletedFlows)
            total.deletedSpans += chunk.deletedSpans
            total.deletedFlows += chunk.deletedFlows
            if chunk.deletedSpans < chunkSpans { break }
            await Task.yield()
        }
        if total.deletedSpans > 0 {
            logger.info(
                "retention deleted expired spans",
                metadata: [
                    "spans": "\(total.deletedSpans)", "flows": "\(total.deletedFlows)", "cutoff_unix_nano": "\(cutoff)",
                ])
        }
        return total
    }

    /// Sweeps at start and every ``interval`` until graceful shutdown (a sweep in progress
    /// stops after its current chunk's transaction).
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    do {
                        try await self.sweep()
                    } catch _ where Task.isCancelled {
                        // Shutting down: whatever the store threw for the cancelled call is not a failure.
                        throw CancellationError()
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        self.logger.error("retention sweep failed; retrying next interval", metadata: ["error": "\(error)"])
                    }
                    try await self.clock.sleep(for: self.interval)
                }
            }
        } catch is CancellationError {
            // Graceful shutdown: the next start sweeps again.
        }
    }
}
