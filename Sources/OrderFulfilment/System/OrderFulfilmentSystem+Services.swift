import ChoreoInstrumentation

extension OrderFulfilmentSystem {
    /// Subscribes the services of `style` on `bus` (one ``TracedBus`` each), except those in
    /// `missing` (services that never start), and returns checkout, ready to place orders.
    /// The bus and the timers must be run by the caller.
    ///
    /// `isRouted` tells publishers whether a topic has consumers (``ServiceEndpoint``);
    /// `journal` and `idempotency` make the truth and the idempotent consumers durable.
    public static func startServices<Bus: MessageBus>(
        on bus: Bus, style: ChoreographyStyle, recorder: TruthRecorder, timers: BusinessTimers,
        traceMode: ConsumerTraceMode = .childOfProducer, missing: Set<String> = [],
        isRouted: (@Sendable (String) async -> Bool)? = nil, journal: (any TruthJournal)? = nil,
        idempotency: (any IdempotencyStore)? = nil
    ) async throws -> CheckoutService<Bus> {
        try await startServices(
            on: bus, style: style, recorder: recorder, serviceTimers: timers, traceMode: traceMode, missing: missing,
            isRouted: isRouted, journal: journal, idempotency: idempotency, paymentBook: PaymentBook()
        )
    }

    /// ``startServices(on:style:recorder:timers:traceMode:missing:isRouted:journal:idempotency:)``
    /// with payment's and account's timers in `serviceTimers` and payment's state in `paymentBook`.
    static func startServices<Bus: MessageBus>(
        on bus: Bus, style: ChoreographyStyle, recorder: TruthRecorder, serviceTimers timers: any ServiceTimers,
        traceMode: ConsumerTraceMode, missing: Set<String>, isRouted: (@Sendable (String) async -> Bool)?,
        journal: (any TruthJournal)?, idempotency: (any IdempotencyStore)?, paymentBook: any PaymentRecords
    ) async throws -> CheckoutService<Bus> {
        func endpoint(_ service: String) -> ServiceEndpoint<Bus> {
            ServiceEndpoint(
                bus, service: service, recorder: recorder, traceMode: traceMode, isRouted: isRouted,
                journal: journal, idempotency: idempotency
            )
        }
        let starts: [(String, () async throws -> Void)] = [
            ("order", { try await OrderService(endpoint: endpoint("order")).start(style: style) }),
            ("payment", { try await PaymentService(endpoint: endpoint("payment"), timers: timers, book: paymentBook).start(style: style) }),
            ("account", { try await AccountService(endpoint: endpoint("account"), timers: timers).start() }),
            ("inventory", { try await InventoryService(endpoint: endpoint("inventory")).start(style: style) }),
            ("shipment", { try await ShipmentService(endpoint: endpoint("shipment")).start(style: style) }),
            ("notification", { try await NotificationService(endpoint: endpoint("notification")).start() }),
        ]
        for (service, start) in starts where !missing.contains(service) {
            try await start()
        }
        return CheckoutService(endpoint: endpoint("checkout"))
    }
}
