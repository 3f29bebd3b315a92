import ChoreoInstrumentation
import ChoreoPostgresBus

extension OrderFulfilmentSystem {
    /// Runs one service alone on a running ``PostgresBus`` (its own process) until cancelled:
    /// subscribes its handlers, marks it ready for the driver (then calls `ready`), and runs its
    /// business timers.
    ///
    /// Its truth goes to the journal in the bus's schema, in each handler's transaction; its
    /// idempotent consumer remembers handled messages there too, and so does payment its
    /// per-order state (``PostgresPaymentBook``). Payment's card deadline and the account's
    /// simulated card update are delayed messages (``PostgresServiceTimers``): a process killed
    /// and restarted fires them. A chain's half-done join still lives in the process.
    ///
    /// - Throws: ``OrderFulfilmentError`` `invalidArgument` for an unknown service name.
    public func runService(_ service: String, on bus: PostgresBus, ready: (@Sendable () -> Void)? = nil) async throws {
        let known = Self.services.filter { $0 != "checkout" }
        guard known.contains(service) else {
            throw OrderFulfilmentError(.invalidArgument, "no service '\(service)'; use one of \(known.joined(separator: ", "))")
        }
        let journal = PostgresTruthJournal(bus: bus)
        try await journal.prepare()
        let timers = BusinessTimers(clock: clock, dayLength: configuration.dayLength)
        _ = try await Self.startServices(
            on: bus, style: configuration.style, recorder: TruthRecorder(),
            serviceTimers: PostgresServiceTimers(bus: bus, dayLength: configuration.dayLength), traceMode: configuration.traceMode,
            missing: Set(known.filter { $0 != service }), isRouted: { await bus.hasSubscribersNow(topic: $0) },
            journal: journal, idempotency: journal, paymentBook: PostgresPaymentBook(bus: bus)
        )
        try await journal.markReady(service)
        ready?()
        try await timers.run()
    }

    /// Empties the bus's schema and the journal: subscriptions, deliveries, dead letters,
    /// state and truth. Run it before a run that starts its own service processes.
    public static func resetPostgres(_ bus: PostgresBus) async throws {
        try await bus.reset()
        let journal = PostgresTruthJournal(bus: bus)
        try await journal.prepare()
        try await journal.reset()
    }
}
