import Hummingbird
import Logging
import ServiceLifecycle

/// The agent: an OTLP/HTTP receiver on loopback, a bounded queue, and a forwarder that batches,
/// gzips and ships spans to the collector with retries.
///
/// The agent never traces its own work: it bootstraps no tracer and its HTTP client creates no spans.
public struct AgentApp<C: Clock>: Sendable where C.Duration == Duration {
    public let configuration: AgentConfiguration
    public let queue: SpanQueue
    public let forwarder: Forwarder<C>
    public let receiverCounters: ReceiverCounters
    let logger: Logger

    public init(configuration: AgentConfiguration, sender: any BatchSender, clock: C, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.queue = SpanQueue(capacity: configuration.queueCapacity)
        self.receiverCounters = ReceiverCounters()
        self.forwarder = Forwarder(queue: queue, sender: sender, configuration: configuration, clock: clock, logger: logger)
    }

    /// The router with every route; tests drive it with `app.test(.router)`.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let receiver = ReceiverRoute(queue: queue, configuration: configuration, counters: receiverCounters, logger: logger)
        router.post("/v1/traces") { request, context in try await receiver.handle(request, context: context) }
        router.get("/healthz") { _, _ in "ok\n" }
        return router
    }

    /// The HTTP application with the forwarder as its service.
    public func makeApplication() -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: [forwarder],
            logger: logger
        )
    }
}

extension AgentApp where C == ContinuousClock {
    /// An agent forwarding over HTTP to ``AgentConfiguration/tracesURL`` in real time.
    public init(configuration: AgentConfiguration, logger: Logger) {
        let sender = HTTPBatchSender(url: configuration.tracesURL, headers: configuration.collectorHeaders, timeout: configuration.requestTimeout)
        self.init(configuration: configuration, sender: sender, clock: ContinuousClock(), logger: logger)
    }
}
