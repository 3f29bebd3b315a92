import ChoreoOTLP
import ChoreoOTLPGRPC
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import ChoreoServer

/// The agent: an OTLP/HTTP receiver on loopback (and an OTLP/gRPC one when
/// ``AgentConfiguration/grpcAddress`` is set), a bounded queue, and a forwarder that batches,
/// gzips and ships spans to the collector with retries.
///
/// The agent never traces its own work: it bootstraps no tracer and its HTTP client creates no
/// spans. Its metrics live in its own registry (``metrics``), so no global metrics bootstrap is needed.
public struct AgentApp<C: Clock>: Sendable where C.Duration == Duration {
    public let configuration: AgentConfiguration
    public let queue: SpanQueue
    /// The disk spool, when ``AgentConfiguration/spool`` is set: the receiver writes to it
    /// (instead of ``queue``) before it answers 2xx, and the forwarder reads from it.
    public let spool: Spool?
    public let forwarder: Forwarder<C>
    public let receiverCounters: ReceiverCounters
    /// The Prometheus registry and swift-metrics factory of this agent.
    public let metrics: AgentMetrics
    /// The one receiving path of `POST /v1/traces` and OTLP/gRPC `Export`.
    let receiver: ReceiverRoute
    let logger: Logger

    /// An agent keeping spans in memory; ``AgentConfiguration/spool`` is ignored (use
    /// ``init(configuration:spool:metrics:sender:clock:logger:)`` for a spool).
    public init(configuration: AgentConfiguration, sender: any BatchSender, clock: C, logger: Logger) {
        self.init(configuration: configuration, spool: nil, metrics: AgentMetrics(), sender: sender, clock: clock, logger: logger)
    }

    /// An agent with an opened `spool` (nil: in memory only) reporting into `metrics` (open the
    /// spool with `metrics.factory` so its drop counters show up in `/metrics`).
    public init(
        configuration: AgentConfiguration, spool: Spool?, metrics: AgentMetrics, sender: any BatchSender, clock: C, logger: Logger
    ) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.spool = spool
        self.queue = SpanQueue(capacity: configuration.queueCapacity, maxBytes: configuration.queueMaxBytes)
        self.receiverCounters = ReceiverCounters(factory: metrics.factory)
        self.receiver = ReceiverRoute(queue: queue, spool: spool, configuration: configuration, counters: receiverCounters, logger: logger)
        if let spool {
            self.forwarder = Forwarder(
                spool: spool, sender: sender, configuration: configuration, clock: clock, logger: logger, metrics: metrics.factory
            )
        } else {
            self.forwarder = Forwarder(
                queue: queue, sender: sender, configuration: configuration, clock: clock, logger: logger, metrics: metrics.factory
            )
        }
    }

    /// The router with every route; tests drive it with `app.test(.router)`.
    ///
    /// `POST /v1/traces` and `/metrics` are guarded by ``AgentConfiguration/ingestToken`` when
    /// it is set; `/healthz` is open.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        // First, so it wraps every route and the not-found answer: every error has a body.
        router.add(middleware: ErrorBodyMiddleware())
        let receiver = receiver
        let counters = receiverCounters
        let guarded = router.group()
        if let token = configuration.ingestToken {
            guarded.add(middleware: BearerAuthMiddleware(token: token, style: .otlp) { counters.rejected(.unauthorized) })
        }
        guarded.post("/v1/traces") { request, context in try await receiver.handle(request, context: context) }
        guarded.get("/metrics") { _, _ in metricsResponse() }
        router.get("/healthz") { _, _ in "ok\n" }
        return router
    }

    /// OTLP/gRPC `TraceService/Export` over the receiving path of `POST /v1/traces`, guarded by
    /// ``AgentConfiguration/ingestToken`` (in the `authorization` metadata) when it is set.
    public func makeTraceService() -> OTLPTraceService {
        let receiver = receiver
        let counters = receiverCounters
        return OTLPTraceService(token: configuration.ingestToken, onUnauthenticated: { counters.rejected(.unauthorized) }) { request in
            receiver.receive(request, contentType: OTLPHTTP.protobufContentType, contentEncoding: nil)
        }
    }

    /// The OTLP/gRPC listener of ``AgentConfiguration/grpcAddress`` (TLS as the HTTP
    /// receiver's, requests no larger than the receiver takes them); nil when it is not set.
    ///
    /// - Parameter onListening: called once it is bound, with the bound port.
    public func makeGRPCServer(onListening: @escaping @Sendable (_ port: Int?) -> Void = { _ in }) -> OTLPGRPCServer? {
        guard let address = configuration.grpcAddress else { return nil }
        let maxRequestBytes = configuration.upstream.receiverLimits(receiverDecodedBytes: configuration.maxDecompressedBytes).maxDecodedBytes
        return OTLPGRPCServer(
            configuration: .init(address: address, tls: configuration.tls, maxRequestBytes: maxRequestBytes),
            service: makeTraceService(), logger: logger, onListening: onListening
        )
    }

    /// The HTTP application with the forwarder and the OTLP/gRPC listener (when
    /// ``AgentConfiguration/grpcAddress`` is set) as its services, over TLS when
    /// ``AgentConfiguration/tls`` is set.
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
        // Shut down in reverse: the gRPC listener stops taking requests before the forwarder drains.
        var services: [any Service] = [forwarder]
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
        var headers = HTTPFields()
        headers[.contentType] = AgentMetrics.contentType
        let body = metrics.exposition(queueDepth: spool?.pendingSpans ?? queue.depth, spooledBytes: spool?.bytes ?? 0)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension AgentApp where C == ContinuousClock {
    /// An agent forwarding over HTTP to ``AgentConfiguration/tracesURLs`` in real time, with
    /// ``AgentConfiguration/forwardingHeaders`` (the collector token, when set).
    public init(configuration: AgentConfiguration, logger: Logger) {
        self.init(configuration: configuration, sender: Self.sender(configuration, logger: logger), clock: ContinuousClock(), logger: logger)
    }

    /// One HTTP sender, or a ``FailoverSender`` over one per collector when there are several.
    static func sender(_ configuration: AgentConfiguration, logger: Logger) -> any BatchSender {
        let senders = configuration.tracesURLs.map { url in
            FailoverSender.Upstream(
                name: url,
                sender: HTTPBatchSender(
                    url: url, headers: configuration.forwardingHeaders, timeout: configuration.requestTimeout, tls: configuration.collectorTLS))
        }
        return senders.count == 1 ? senders[0].sender : FailoverSender(senders, logger: logger)
    }

    /// An agent forwarding over HTTP in real time that opens the disk spool of
    /// ``AgentConfiguration/spool`` when one is configured.
    ///
    /// - Throws: ``SpoolError`` when the spool directory cannot be opened.
    public static func opening(configuration: AgentConfiguration, logger: Logger) throws(SpoolError) -> Self {
        let metrics = AgentMetrics()
        let spool = try configuration.spool.map { (spool) throws(SpoolError) in
            try Spool(configuration: spool, logger: logger, metrics: metrics.factory)
        }
        return Self(
            configuration: configuration, spool: spool, metrics: metrics, sender: sender(configuration, logger: logger), clock: ContinuousClock(),
            logger: logger)
    }
}
