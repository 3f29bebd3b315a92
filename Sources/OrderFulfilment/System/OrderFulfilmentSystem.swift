import ChoreoInstrumentation

/// The order-fulfilment choreography in one process: checkout, order, payment, inventory,
/// shipment and notification, each on its own ``TracedBus`` over one shared ``InMemoryBus``.
///
/// Spans go to whatever tracer is active for the caller (`InstrumentationSystem.tracer`,
/// or a `withTracer` scope around ``run(orders:seed:concurrency:)``).
public struct OrderFulfilmentSystem: Sendable {
    /// Settings of a run.
    public struct Configuration: Sendable {
        /// The bus's tuning (attempts, backoff, queue sizes).
        public var bus: InMemoryBus.Configuration
        /// How consumer spans relate to producer spans.
        public var traceMode: TracedBus<InMemoryBus>.TraceMode
        /// How long the orders may take, measured on the system's clock.
        public var timeout: Duration

        /// Creates a configuration; defaults: 16 deliveries per subscription, child-of-producer traces, 60 s.
        public init(
            bus: InMemoryBus.Configuration = InMemoryBus.Configuration(concurrencyPerSubscription: 16),
            traceMode: TracedBus<InMemoryBus>.TraceMode = .childOfProducer,
            timeout: Duration = .seconds(60)
        ) {
            self.bus = bus
            self.traceMode = traceMode
            self.timeout = timeout
        }
    }

    /// The run's settings.
    public let configuration: Configuration
    /// The clock of the bus's backoff and of the timeout.
    public let clock: any Clock<Duration>

    /// Creates the system.
    public init(configuration: Configuration = Configuration(), clock: any Clock<Duration> = ContinuousClock()) {
        self.configuration = configuration
        self.clock = clock
    }

    /// The services' names, as they appear in `service.name` and as consumer groups.
    public static let services = ["checkout", "order", "payment", "inventory", "shipment", "notification"]

    /// Places `orders` orders, at most `concurrency` in flight at once, waits until every one has
    /// ended (notification handled its terminal message) and returns the truth the services recorded.
    ///
    /// Order `i` (1-based) is `order-00000i`, its scenario drawn from `seed` and `i` (``OrderPlan``).
    ///
    /// - Throws: ``OrderFulfilmentError`` `invalidArgument`, or `timedOut` if the orders have not all
    ///   ended within ``Configuration/timeout``; `CancellationError` if the task is cancelled.
    public func run(orders: Int, seed: UInt64, concurrency: Int) async throws -> Truth {
        guard orders >= 0 else { throw OrderFulfilmentError(.invalidArgument, "orders is \(orders); use 0 or more") }
        guard concurrency >= 1 else {
            throw OrderFulfilmentError(.invalidArgument, "concurrency is \(concurrency); use 1 or more")
        }
        let bus = try InMemoryBus(configuration: configuration.bus, clock: clock)
        let recorder = TruthRecorder()
        let checkout = try await Self.startServices(on: bus, recorder: recorder, traceMode: configuration.traceMode)
        enum Phase: Sendable { case ordersEnded, busStopped, timedOut }
        let timeout = configuration.timeout, clock = clock
        return try await withThrowingTaskGroup(of: Phase.self) { group in
            group.addTask { try await bus.run(); return .busStopped }
            group.addTask {
                try await Self.place(orders: orders, seed: seed, concurrency: concurrency, checkout: checkout, recorder: recorder)
                try await bus.waitUntilIdle()
                return .ordersEnded
            }
            group.addTask { try await clock.sleep(for: timeout); return .timedOut }
            defer { group.cancelAll() }
            switch try await group.next() {
            case .ordersEnded?:
                return recorder.truth
            case .timedOut?:
                throw Self.timedOut(recorder.truth, orders: orders, timeout: timeout)
            case .busStopped?, nil:
                try Task.checkCancellation()
                throw OrderFulfilmentError(.busStopped, "the bus stopped before the orders ended")
            }
        }
    }

    /// Subscribes order, payment, inventory, shipment and notification on `bus` (one
    /// ``TracedBus`` each) and returns checkout, ready to place orders. The bus must be run
    /// by the caller.
    public static func startServices<Bus: MessageBus>(
        on bus: Bus, recorder: TruthRecorder, traceMode: TracedBus<Bus>.TraceMode = .childOfProducer
    ) async throws -> CheckoutService<Bus> {
        func endpoint(_ service: String) -> ServiceEndpoint<Bus> {
            ServiceEndpoint(bus, service: service, recorder: recorder, traceMode: traceMode)
        }
        try await OrderService(endpoint: endpoint("order")).start()
        try await PaymentService(endpoint: endpoint("payment")).start()
        try await InventoryService(endpoint: endpoint("inventory")).start()
        try await ShipmentService(endpoint: endpoint("shipment")).start()
        try await NotificationService(endpoint: endpoint("notification")).start()
        return CheckoutService(endpoint: endpoint("checkout"))
    }

    /// Places the orders through checkout, keeping at most `concurrency` of them in flight.
    private static func place(
        orders: Int, seed: UInt64, concurrency: Int, checkout: CheckoutService<InMemoryBus>, recorder: TruthRecorder
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 1
            func addOrder() {
                let plan = OrderPlan(seed: seed, index: next)
                next += 1
                group.addTask {
                    let orderID = try await checkout.place(plan)
                    try await recorder.waitUntilEnded(orderID)
                }
            }
            while next <= min(concurrency, orders) { addOrder() }
            while try await group.next() != nil {
                if next <= orders { addOrder() }
            }
        }
    }

    private static func timedOut(_ truth: Truth, orders: Int, timeout: Duration) -> OrderFulfilmentError {
        let ended = truth.flows.values.filter { $0.outcome != nil }.count
        let waiting = truth.flows.filter { $0.value.outcome == nil }.keys.sorted().prefix(5)
        let last = waiting.map { id in "\(id) (after \(truth.flows[id]?.types.last ?? "nothing"))" }
        return OrderFulfilmentError(
            .timedOut,
            "only \(ended) of \(orders) orders ended within \(timeout); still open: \(last.joined(separator: ", "))"
                + (waiting.isEmpty ? "" : ". Raise the timeout or check the bus's dead letters.")
        )
    }
}
