import ChoreoDashboard
import ChoreoFlows
import ChoreoModel
import ChoreoOTLP
import ChoreoOTLPGRPC
import ChoreoQuery
import ChoreoStore
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import ChoreoServer

/// The collector: OTLP ingest, the flow index, the query API and `/metrics` behind one HTTP server,
/// and OTLP/gRPC ingest on a second listener when ``CollectorConfiguration/grpcAddress`` is set.
///
/// Build one with ``init(configuration:store:logger:now:)`` and run ``makeApplication()`` (a
/// `Service`) in a `ServiceGroup`. The collector never traces its own work: it bootstraps no
/// tracer. Its metrics live in its own registry (``metrics``), so no global metrics bootstrap
/// is needed.
public struct CollectorApp: Sendable {
    public let configuration: CollectorConfiguration
    /// The store as given; every part of the collector uses it through ``storeHealth``'s tracking.
    public let store: any SpanStore
    /// Whether the store's recent reads and commits succeeded; `/readyz` answers 503 while not.
    public let storeHealth: DependencyHealth
    /// ``store`` with each call's outcome recorded in ``storeHealth``.
    let trackedStore: HealthTrackingStore
    public let writer: IngestWriter
    public let indexer: FlowIndexer<ContinuousClock>
    /// Large flows the indexer built, reused by the query API (``FlowBuildCache``).
    let flowCache: FlowBuildCache
    /// Consumption latencies learned from every flow the indexer rebuilds; the source of stuck
    /// limits per message type. Empty at start-up: it relearns as flows arrive.
    public let learner: SharedLatencyLearner
    public let rejections: RejectionCounters
    /// The Prometheus registry and swift-metrics factory of this collector.
    public let metrics: CollectorMetrics
    /// Deletes expired spans; nil when ``CollectorConfiguration/retention`` is nil (keep
    /// forever) or the store cannot delete (``SpanRetention``).
    public let retention: RetentionService<ContinuousClock>?
    /// Recounts `choreo_collector_flows{status}` in the background.
    public let flowCounter: CollectorFlowCounter<ContinuousClock>
    /// String attribute values truncated at ingest.
    let truncatedAttributes: MeteredCounter
    /// The one ingest path of `POST /v1/traces` and OTLP/gRPC `Export` (one decode limit for both).
    let ingest: IngestRoute
    let logger: Logger
    let now: @Sendable () -> UInt64

    public init(
        configuration: CollectorConfiguration, store: any SpanStore, logger: Logger,
        now: @escaping @Sendable () -> UInt64 = UnixTime.nowNanos
    ) {
        self.configuration = configuration
        self.store = store
        self.storeHealth = DependencyHealth()
        let tracked = HealthTrackingStore(store, health: storeHealth)
        self.trackedStore = tracked
        self.logger = logger
        self.now = now
        self.metrics = CollectorMetrics(startedAtUnixNano: now())
        self.rejections = RejectionCounters(factory: metrics.factory)
        self.writer = IngestWriter(
            store: tracked, capacity: configuration.ingestQueueCapacity,
            maxSpansPerCommit: configuration.maxSpansPerCommit, commitsInFlight: configuration.commitsInFlight, logger: logger, metrics: metrics.factory
        )
        self.learner = SharedLatencyLearner(configuration: configuration.latencyLearnerConfiguration)
        let flowCache = FlowBuildCache()
        self.flowCache = flowCache
        self.indexer = FlowIndexer(
            store: tracked, options: configuration.flowOptions, learner: learner, clock: ContinuousClock(),
            interval: configuration.indexInterval, now: now, logger: logger,
            sampling: configuration.sampling, samplingCounters: SamplingCounters(factory: metrics.factory), flowCache: flowCache,
            ingestBusy: { [writer] in writer.isBusy }, maxDeferral: configuration.indexMaxDeferral
        )
        self.truncatedAttributes = MeteredCounter(label: CollectorMetrics.Name.truncatedAttributes, factory: metrics.factory)
        self.ingest = IngestRoute(
            writer: writer, maxBodyBytes: configuration.maxBodyBytes,
            maxDecompressedBytes: configuration.maxDecompressedBytes, limits: configuration.ingestLimits,
            logger: logger, rejected: rejections, truncated: truncatedAttributes
        )
        self.flowCounter = CollectorFlowCounter(
            store: tracked, metrics: metrics, clock: ContinuousClock(), interval: configuration.flowCountInterval, logger: logger
        )
        self.retention = Self.makeRetention(configuration, store: store, metrics: metrics, now: now, logger: logger)
    }

    /// The router with every route; tests drive it with `app.test(.router)`.
    ///
    /// `POST /v1/traces` is guarded by ``CollectorConfiguration/ingestToken``; `/api/*` and
    /// `/metrics` by ``CollectorConfiguration/queryToken``; `/healthz`, `/readyz`, the dashboard's
    /// files and `/api/v1/openapi.json` (``OpenAPIDocument``) are open.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        // First, so it wraps every route and the not-found answer.
        router.add(middleware: ErrorBodyMiddleware(classify: Self.answer(to:)))
        let ingest = ingest
        let query = QueryRoutes(
            service: QueryService(store: trackedStore, fallback: configuration.flowOptions, now: now, cache: flowCache),
            indexedAt: { [indexer] in indexer.indexedAtUnixNano }
        )
        let rejections = rejections
        let ingestGroup = router.group()
        if let token = configuration.ingestToken {
            ingestGroup.add(middleware: BearerAuthMiddleware(token: token, style: .otlp) { rejections.count(.unauthorized) })
        }
        ingestGroup.post("/v1/traces") { request, context in try await ingest.handle(request, context: context) }

        let queryGroup = router.group()
        if let token = configuration.queryToken {
            queryGroup.add(middleware: BearerAuthMiddleware(token: token, style: .json))
        }
        queryGroup.get("/api/v1/flows") { request, context in try await query.listFlows(request, context: context) }
        queryGroup.get("/api/v1/flows/stats") { request, context in try await query.flowStats(request, context: context) }
        queryGroup.get("/api/v1/flows/:id") { request, context in try await query.showFlow(request, context: context) }
        queryGroup.get("/api/v1/flows/:id/export") { request, context in try await query.exportFlow(request, context: context) }
        queryGroup.get("/api/v1/map") { request, context in try await query.processMap(request, context: context) }
        queryGroup.get("/api/v1/map/export") { request, context in try await query.exportMap(request, context: context) }
        queryGroup.get("/api/v1/variants") { request, context in try await query.variants(request, context: context) }
        queryGroup.get("/api/v1/traces") { request, context in try await query.searchTraces(request, context: context) }
        queryGroup.get("/api/v1/traces/:id") { request, context in try await query.getTrace(request, context: context) }
        queryGroup.get("/metrics") { _, _ in metricsResponse() }
        JaegerRoutes(service: JaegerQueryService(store: trackedStore), now: now).register(on: queryGroup)  // Jaeger's /api/*

        DashboardRoutes().register(on: router)  // GET / and /ui/** (static, no token)
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ in await readiness() }
        router.get(RouterPath(OpenAPIDocument.path)) { _, _ in OpenAPIDocument.response() }  // no token: it holds no data
        return router
    }

    /// OTLP/gRPC `TraceService/Export` over the ingest path of `POST /v1/traces`, guarded by
    /// ``CollectorConfiguration/ingestToken`` (in the `authorization` metadata) when it is set.
    public func makeTraceService() -> OTLPTraceService {
        let ingest = ingest
        let rejections = rejections
        return OTLPTraceService(token: configuration.ingestToken, onUnauthenticated: { rejections.count(.unauthorized) }) { request in
            await ingest.ingest(request, contentType: OTLPHTTP.protobufContentType, contentEncoding: nil)
        }
    }

    /// The OTLP/gRPC listener of ``CollectorConfiguration/grpcAddress`` (TLS as the HTTP
    /// listener's, requests no larger than ingest takes them); nil when it is not set.
    ///
    /// - Parameter onListening: called once it is bound, with the bound port.
    public func makeGRPCServer(onListening: @escaping @Sendable (_ port: Int?) -> Void = { _ in }) -> OTLPGRPCServer? {
        guard let address = configuration.grpcAddress else { return nil }
        return OTLPGRPCServer(
            configuration: .init(address: address, tls: configuration.tls, maxRequestBytes: ingest.requestLimits.maxDecodedBytes),
            service: makeTraceService(), logger: logger, onListening: onListening
        )
    }

    /// The HTTP application with the ingest writer, the flow indexer and the OTLP/gRPC listener
    /// (when ``CollectorConfiguration/grpcAddress`` is set) as its services, over TLS when
    /// ``CollectorConfiguration/tls`` is set.
    ///
    /// - Parameters:
    ///   - limits: time and size limits on every connection.
    ///   - onServerRunning: called once the listen address is bound (``ListenSignal/serverRunning(_:)``).
    ///   - onGRPCListening: called once the OTLP/gRPC address is bound, with its port.
    public func makeApplication(
        limits: HTTPServerLimits = HTTPServerLimits(),
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in },
        onGRPCListening: @escaping @Sendable (_ port: Int?) -> Void = { _ in }
    ) -> some ApplicationProtocol {
        // Shut down in reverse: the listeners stop taking requests before the writer drains.
        var services: [any Service] = [writer, indexer] + backgroundServices
        if let grpc = makeGRPCServer(onListening: onGRPCListening) { services.append(grpc) }
        return Application(
            router: makeRouter(),
            server: limits.serverBuilder(tls: configuration.tls),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: services,
            onServerRunning: onServerRunning,
            logger: logger
        )
    }

    /// `GET /metrics`: the registry's text exposition, gauges read now.
    private func metricsResponse() -> Response {
        let body = metrics.exposition(
            queueDepth: writer.queueDepth,
            storeSizeBytes: CollectorMetrics.storeSizeBytes(databasePath: configuration.databasePath),
            indexedAtUnixNano: indexer.indexedAtUnixNano, nowUnixNano: now()
        )
        var headers = HTTPFields()
        headers[.contentType] = CollectorMetrics.contentType
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
