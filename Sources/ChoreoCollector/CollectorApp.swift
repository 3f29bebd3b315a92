import ChoreoFlows
import ChoreoModel
import ChoreoStore
import Hummingbird
import Logging
import ServiceLifecycle

/// The collector: OTLP ingest, the flow index and the query API behind one HTTP server.
///
/// Build one with ``init(configuration:store:logger:)`` and run ``application`` (a `Service`)
/// in a `ServiceGroup`. The collector never traces its own work: it bootstraps no tracer.
public struct CollectorApp: Sendable {
    public let configuration: CollectorConfiguration
    public let store: any SpanStore
    public let writer: IngestWriter
    public let indexer: FlowIndexer<ContinuousClock>
    public let rejections: RejectionCounters
    let logger: Logger
    let now: @Sendable () -> UInt64

    public init(
        configuration: CollectorConfiguration, store: any SpanStore, logger: Logger,
        now: @escaping @Sendable () -> UInt64 = UnixTime.nowNanos
    ) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.now = now
        self.rejections = RejectionCounters()
        self.writer = IngestWriter(
            store: store, capacity: configuration.ingestQueueCapacity,
            maxSpansPerCommit: configuration.maxSpansPerCommit, logger: logger
        )
        self.indexer = FlowIndexer(
            store: store, options: configuration.flowOptions, clock: ContinuousClock(),
            interval: configuration.indexInterval, now: now, logger: logger
        )
    }

    /// The router with every route; tests drive it with `app.test(.router)`.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let ingest = IngestRoute(
            writer: writer, maxBodyBytes: configuration.maxBodyBytes,
            maxDecompressedBytes: configuration.maxDecompressedBytes, logger: logger, rejected: rejections
        )
        let query = QueryRoutes(store: store, indexer: indexer, builder: FlowBuilder(options: configuration.flowOptions), now: now)
        router.post("/v1/traces") { request, context in try await ingest.handle(request, context: context) }
        router.get("/api/v1/flows") { request, context in try await query.listFlows(request, context: context) }
        router.get("/api/v1/flows/:id") { request, context in try await query.showFlow(request, context: context) }
        router.get("/api/v1/traces/:id") { request, context in try await query.getTrace(request, context: context) }
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ in "ready\n" }
        return router
    }

    /// The HTTP application with the ingest writer and the flow indexer as its services.
    public func makeApplication() -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: [writer, indexer],
            logger: logger
        )
    }
}
