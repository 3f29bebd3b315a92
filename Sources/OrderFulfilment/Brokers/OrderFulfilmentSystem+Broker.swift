import ChoreoInstrumentation
import Synchronization

extension OrderFulfilmentSystem {
    /// Runs one service alone on `bus` (an instance of its own) until cancelled: runs the bus,
    /// subscribes the service's handlers, calls `ready`, then runs its business timers.
    ///
    /// Its idempotent consumer's memory, payment's per-order state and the business timers
    /// (payment's card deadline, the account's simulated card update) live in the process: a
    /// service stopped and started again forgets them (the PostgreSQL bus keeps them durable;
    /// a broker has no transaction to keep them in).
    ///
    /// - Throws: ``OrderFulfilmentError`` `invalidArgument` for an unknown service name,
    ///   `busStopped` when the bus stops; what the bus throws when it cannot connect.
    public func runService<Bus: BrokerBus>(_ service: String, on bus: Bus, ready: (@Sendable () -> Void)? = nil) async throws {
        let known = Self.services.filter { $0 != "checkout" }
        guard known.contains(service) else {
            throw OrderFulfilmentError(.invalidArgument, "no service '\(service)'; use one of \(known.joined(separator: ", "))")
        }
        let configuration = configuration
        let timers = BusinessTimers(clock: clock, dayLength: configuration.dayLength)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await bus.run()
                throw OrderFulfilmentError(.busStopped, "the bus of service \(service) stopped")
            }
            group.addTask {
                _ = try await Self.startServices(
                    on: bus, style: configuration.style, recorder: TruthRecorder(), timers: timers,
                    traceMode: configuration.traceMode, missing: Set(known).subtracting([service])
                )
                ready?()
                try await timers.run()
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// Places the orders on a broker and returns the truth observed there (``TruthObserver``),
    /// once every order reached a final state and the system went quiet.
    ///
    /// `services` hosts the services (``InProcessServices``, or processes of their own); the
    /// run starts each one except the fault's missing subscriber, stops and restarts one for an
    /// outage, and stops them all at the end. `makeBus(name)` makes a bus instance on the
    /// run's system: the run uses one for checkout (`checkout`) and one for the observer
    /// (`truth`). Every instance's topology lives on the broker, so the queues, streams and
    /// dead letters of the run stay there to inspect afterwards.
    ///
    /// - Throws: ``OrderFulfilmentError`` `timedOut` if no order reached a final state for
    ///   ``Configuration/effectiveTimeout``, `busStopped` if a bus stopped, `serviceFailed` if
    ///   a service ended by itself (``ServiceHost/watchForFailures()``); what the services or
    ///   the buses throw.
    public func run<Bus: BrokerBus>(
        plans: [OrderPlan], concurrency: Int, services: any ServiceHost, makeBus: @escaping @Sendable (String) throws -> Bus,
        progress: (@Sendable (RunProgress) -> Void)? = nil
    ) async throws -> Truth {
        guard concurrency >= 1 else { throw OrderFulfilmentError(.invalidArgument, "concurrency is \(concurrency); use 1 or more") }
        let missing = Set([configuration.faults.missingSubscriber].compactMap { $0 })
        let consumers = try await Self.consumers(style: configuration.style)
        let observer = TruthObserver(consumers: consumers, missing: missing)
        let serviceSubscriptions = consumers.flatMap { topic, groups in
            groups.subtracting(missing).map { BrokerSubscription(topic: topic, group: $0) }
        }
        let observerBus = try makeBus("truth")
        let checkoutBus = try makeBus("checkout")
        let started = Self.services.filter { $0 != "checkout" && !missing.contains($0) }
        let configuration = configuration
        let clock = clock
        try await withThrowingTaskGroup(of: BrokerRunPhase.self) { group in
            group.addTask {
                try await observerBus.run()
                return .busStopped
            }
            group.addTask {
                try await checkoutBus.run()
                return .busStopped
            }
            group.addTask {
                // Throws as soon as a service ends by itself: the run stops with its name.
                try await services.watchForFailures()
                return .busStopped
            }
            group.addTask {
                try await observer.subscribe(on: observerBus)
                do {
                    for service in started { try await services.start(service) }
                    let checkout = CheckoutService(
                        endpoint: ServiceEndpoint(
                            checkoutBus, service: "checkout", recorder: TruthRecorder(), traceMode: configuration.traceMode))
                    try await Self.placeAndSettle(
                        plans, concurrency: concurrency, checkout: checkout, observer: observer, observerBus: observerBus,
                        services: services, configuration: configuration, clock: clock, progress: progress)
                    try await Self.stopWhenQuiet(
                        services, started: started, observerBus: observerBus, subscriptions: serviceSubscriptions)
                } catch {
                    await services.stopAll()
                    throw error
                }
                try await Self.waitForQuiet(observerBus, TruthObserver.subscriptions)
                try await Self.retryingWhileUnavailable { try await observer.readDeadLetters(from: observerBus) }
                return .settled
            }
            defer { group.cancelAll() }
            while let phase = try await group.next() {
                if phase == .settled { return }
            }
            try Task.checkCancellation()
            throw OrderFulfilmentError(.busStopped, "the bus stopped before the orders ended")
        }
        return observer.truth(of: Set(plans.map(\.details.orderID)))
    }

    /// Places the orders (at most `concurrency` unsettled), runs the outage, and returns once
    /// every order settled; the outage's service runs again on return.
    private static func placeAndSettle<Bus: BrokerBus>(
        _ plans: [OrderPlan], concurrency: Int, checkout: CheckoutService<Bus>, observer: TruthObserver, observerBus: Bus,
        services: any ServiceHost, configuration: Configuration, clock: any Clock<Duration>,
        progress: (@Sendable (RunProgress) -> Void)?
    ) async throws {
        let recorder = observer.recorder
        let timers = BusinessTimers(clock: clock, dayLength: configuration.dayLength)
        let stopped = Mutex<String?>(nil)
        if let outage = configuration.faults.outage {
            try timers.schedule(afterDays: outage.startsAfterDays) {
                stopped.withLock { $0 = outage.service }
                await services.stop(outage.service)
            }
            try timers.schedule(afterDays: outage.startsAfterDays + outage.lastsDays) {
                try await services.start(outage.service)
                stopped.withLock { $0 = nil }
            }
        }
        let limit = configuration.effectiveTimeout
        try await withThrowingTaskGroup(of: BrokerRunPhase.self) { group in
            group.addTask {
                try await timers.run()
                return .timersStopped
            }
            group.addTask {
                try await observer.followDeadLetters(on: observerBus)
                return .timersStopped
            }
            group.addTask {
                try await watch(recorder, limit: limit)
                return .timedOut
            }
            group.addTask {
                try await withThrowingTaskGroup(of: Void.self) { orders in
                    var next = 0
                    func addOrder() {
                        let plan = plans[next]
                        next += 1
                        orders.addTask {
                            let orderID = try await retryingWhileUnavailable { try await checkout.place(plan) }
                            try await recorder.waitUntilSettled(orderID)
                        }
                    }
                    while next < min(concurrency, plans.count) { addOrder() }
                    while try await orders.next() != nil {
                        if next < plans.count { addOrder() }
                        progress?(RunProgress(placed: next, total: plans.count, settled: recorder.settledCount))
                    }
                }
                return .placed
            }
            defer { group.cancelAll() }
            while let step = try await group.next() {
                switch step {
                case .placed: return
                case .timedOut: throw timedOut(recorder.truth, orders: plans.count, limit: limit)
                case .settled, .busStopped, .timersStopped: continue
                }
            }
        }
        await timers.finish()
        if let service = stopped.withLock({ $0 }) { try await services.start(service) }
    }

    /// Runs `body` again while it throws ``BusError`` `unavailable` (the broker is down or
    /// restarting), every second for up to `patience` (2 minutes unless given), as long as
    /// `retrying` says yes for the error (it is asked only then, so it may also report it).
    ///
    /// An order placed again after an unconfirmed publish may reach the broker twice (with two
    /// message ids); the observer then records both, as the spans do.
    public static func retryingWhileUnavailable<T: Sendable>(
        for patience: Duration = .seconds(120), while retrying: (BusError) -> Bool = { _ in true }, _ body: () async throws -> T
    ) async throws -> T {
        let clock = ContinuousClock()
        let deadline = clock.now + patience
        while true {
            do {
                return try await body()
            } catch let error as BusError where error.code == .unavailable && clock.now < deadline && retrying(error) {
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Stops the services once the system is quiet: every service's queue drained (a terminal
    /// message settles its flow when published, before notification has handled it).
    ///
    /// Where the broker cannot count deliveries a consumer holds unacknowledged (RabbitMQ's
    /// prefetch), a queue can read empty while a service still holds messages; stopping the
    /// service hands them back to the queue. So after the stop the queues are counted again,
    /// and if anything came back the services start again to handle it (at most 5 rounds).
    private static func stopWhenQuiet<Bus: BrokerBus>(
        _ services: any ServiceHost, started: [String], observerBus: Bus, subscriptions: [BrokerSubscription]
    ) async throws {
        for round in 1...5 {
            try await waitForQuiet(observerBus, subscriptions + TruthObserver.subscriptions)
            await services.stopAll()
            let handedBack = (try? await observerBus.pendingDeliveries(of: subscriptions)) ?? 0
            if handedBack == 0 || round == 5 { return }
            for service in started { try await services.start(service) }
        }
    }

    /// Waits until the broker holds no delivery for `subscriptions` on two polls in a row
    /// (a message moving from a retry queue back to its queue is seen on one of them), at most
    /// 60 s; then the run goes on, and a truth missing a late message shows in the comparison.
    /// A broker that cannot be asked (it is restarting) counts as not quiet.
    private static func waitForQuiet<Bus: BrokerBus>(_ bus: Bus, _ subscriptions: [BrokerSubscription]) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var quietPolls = 0
        while quietPolls < 2, clock.now < deadline {
            let pending = (try? await bus.pendingDeliveries(of: subscriptions)) ?? -1
            quietPolls = pending == 0 ? quietPolls + 1 : 0
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// Where the tasks of a broker run ended.
private enum BrokerRunPhase: Sendable {
    case settled, busStopped, placed, timedOut, timersStopped
}
