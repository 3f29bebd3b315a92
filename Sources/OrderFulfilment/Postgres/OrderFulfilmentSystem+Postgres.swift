import ChoreoInstrumentation
import ChoreoPostgresBus
import PostgresNIO

extension OrderFulfilmentSystem {
    /// Where the services of a run on PostgreSQL live.
    public enum ServicePlacement: Sendable {
        /// Every service runs in this process, on the given bus.
        case inProcess
        /// The services run in other processes on the same schema (``runService(_:on:)``);
        /// the run waits until each of these has marked itself ready.
        case external(Set<String>)
    }

    /// Places the orders on a running ``PostgresBus`` and returns the truth the services
    /// journaled (``PostgresTruthJournal``), once every order reached a final state.
    ///
    /// The caller runs the bus. `outage`, called with `(service, running)`, stops and restarts
    /// a service for ``FaultSettings/outage``; by default the bus pauses the service's group
    /// in this process (for services in other processes, stop their process instead).
    /// `beforeTruth` runs once the orders settled, before the truth is read (stop the service
    /// processes there, so that the truth and their spans end at the same point).
    public func run(
        on bus: PostgresBus, plans: [OrderPlan], concurrency: Int, services: ServicePlacement = .inProcess,
        progress: (@Sendable (RunProgress) -> Void)? = nil,
        outage: (@Sendable (String, Bool) async throws -> Void)? = nil,
        beforeTruth: (@Sendable () async -> Void)? = nil
    ) async throws -> Truth {
        guard concurrency >= 1 else { throw OrderFulfilmentError(.invalidArgument, "concurrency is \(concurrency); use 1 or more") }
        let journal = PostgresTruthJournal(bus: bus)
        try await journal.prepare()
        let recorder = TruthRecorder()
        let timers = BusinessTimers(clock: clock, dayLength: configuration.dayLength)
        let routed: @Sendable (String) async -> Bool = { await bus.hasSubscribersNow(topic: $0) }
        let checkout: CheckoutService<PostgresBus>
        switch services {
        case .inProcess:
            checkout = try await Self.startServices(
                on: bus, style: configuration.style, recorder: recorder, timers: timers, traceMode: configuration.traceMode,
                missing: Set([configuration.faults.missingSubscriber].compactMap { $0 }), isRouted: routed,
                journal: journal, idempotency: journal
            )
        case .external(let expected):
            try await Self.waitUntilReady(expected, journal: journal, limit: configuration.effectiveTimeout)
            checkout = CheckoutService(
                endpoint: ServiceEndpoint(
                    bus, service: "checkout", recorder: recorder, traceMode: configuration.traceMode, isRouted: routed, journal: journal
                ))
        }
        try await bus.refreshSubscriptions()
        let toggle: @Sendable (String, Bool) async throws -> Void =
            outage ?? { service, running in
                if running { bus.resume(group: service) } else { bus.pause(group: service) }
            }
        if let outage = configuration.faults.outage {
            try timers.schedule(afterDays: outage.startsAfterDays) { try await toggle(outage.service, false) }
            try timers.schedule(afterDays: outage.startsAfterDays + outage.lastsDays) { try await toggle(outage.service, true) }
        }
        let watch = SettlementWatch()
        let limit = configuration.effectiveTimeout
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await timers.run()
                return false
            }
            group.addTask {
                try await Self.follow(watch, journal: journal)
                return false
            }
            group.addTask {
                try await Self.watchProgress(watch, limit: limit)
                return false
            }
            group.addTask {
                try await Self.place(plans, concurrency: concurrency, on: bus, checkout: checkout, watch: watch, progress: progress)
                return true
            }
            defer { group.cancelAll() }
            while let done = try await group.next() {
                if done { return }
                if watch.settledCount < plans.count, !Task.isCancelled {
                    let open = watch.open.sorted().prefix(5).joined(separator: ", ")
                    throw OrderFulfilmentError(
                        .timedOut,
                        "no order reached a final state for \(limit); \(watch.settledCount) of \(plans.count) did. "
                            + "Still open: \(open). Raise --timeout, check that every service runs, and the bus's dead letters."
                    )
                }
            }
        }
        await timers.finish()
        if let outage = configuration.faults.outage { try? await toggle(outage.service, true) }
        try await Self.waitForQuiet(bus, limit: .seconds(10))
        await beforeTruth?()
        return try await journal.truth(of: plans.map(\.details.orderID))
    }

    private static func place(
        _ plans: [OrderPlan], concurrency: Int, on bus: PostgresBus, checkout: CheckoutService<PostgresBus>,
        watch: SettlementWatch, progress: (@Sendable (RunProgress) -> Void)?
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func addOrder() {
                let plan = plans[next]
                next += 1
                watch.watch(plan.details.orderID)
                group.addTask {
                    _ = try await bus.withTransaction { try await checkout.place(plan) }
                    await watch.waitUntilSettled(plan.details.orderID)
                }
            }
            while next < min(concurrency, plans.count) { addOrder() }
            while try await group.next() != nil {
                if next < plans.count { addOrder() }
                progress?(RunProgress(placed: next, total: plans.count, settled: watch.settledCount))
            }
        }
    }

    /// Polls the journal for the open orders that settled.
    private static func follow(_ watch: SettlementWatch, journal: PostgresTruthJournal) async throws {
        while true {
            let open = watch.open
            if !open.isEmpty { watch.settled(try await journal.settled(among: open)) }
            try await Task.sleep(for: .milliseconds(open.isEmpty ? 20 : 50))
        }
    }

    /// Returns when no order settled for `limit`.
    private static func watchProgress(_ watch: SettlementWatch, limit: Duration) async throws {
        var last = watch.settledCount
        while true {
            try await Task.sleep(for: limit)
            let now = watch.settledCount
            if now == last { return }
            last = now
        }
    }

    private static func waitUntilReady(_ expected: Set<String>, journal: PostgresTruthJournal, limit: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while true {
            let ready = try await journal.readyServices()
            if ready.isSuperset(of: expected) { return }
            guard clock.now < deadline else {
                throw OrderFulfilmentError(
                    .timedOut, "services \(expected.subtracting(ready).sorted().joined(separator: ", ")) did not start within \(limit)"
                )
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits (at most `limit`) until no delivery is pending, so the truth holds every message.
    /// Durable timers (``PostgresServiceTimers``) of settled orders, such as the card deadline
    /// of an order whose card was updated, change nothing and are not waited for.
    private static func waitForQuiet(_ bus: PostgresBus, limit: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        let pending: PostgresQuery = """
            SELECT count(*)::int8 FROM \(unescaped: bus.schema).deliveries
            WHERE NOT starts_with(topic, \(PostgresServiceTimers.topicPrefix))
            """
        while try await bus.execute(pending).first?.decode(Int64.self) ?? 0 > 0, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
