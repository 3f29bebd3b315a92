import ChoreoModel
import ChoreoStore
import Logging
import ServiceLifecycle

extension CollectorApp {
    /// Services beside the writer and the indexer: the flow counter, and retention when set.
    ///
    /// Graceful shutdown runs in reverse order of `[writer, indexer] + these + [HTTP server]`:
    /// the server stops taking requests and finishes those in flight first, the writer drains
    /// last, so every request answered 200 was committed.
    public var backgroundServices: [any Service] {
        var services: [any Service] = [flowCounter]
        if let retention { services.append(retention) }
        return services
    }

    static func makeRetention(
        _ configuration: CollectorConfiguration, store: any SpanStore, metrics: CollectorMetrics,
        now: @escaping @Sendable () -> UInt64, logger: Logger
    ) -> RetentionService<ContinuousClock>? {
        guard let window = configuration.retention else { return nil }
        guard let retaining = store as? any SpanRetention else {
            logger.warning("this store cannot delete spans: --retention is ignored and spans are kept forever")
            return nil
        }
        return RetentionService(
            store: retaining, window: window, interval: configuration.retentionInterval,
            chunkSpans: configuration.retentionChunkSpans, clock: ContinuousClock(), now: now, logger: logger,
            metrics: metrics.factory
        )
    }
}

extension CollectorConfiguration {
    /// The per-request limits of ingest.
    public var ingestLimits: IngestLimits {
        IngestLimits(maxSpansPerRequest: maxSpansPerRequest, maxAttributeBytes: maxAttributeBytes)
    }
}
