import ChoreoInstrumentation

extension OrderFulfilmentSystem {
    /// Places `orders` orders drawn from `seed` (``plans(orders:seed:)``), at most `concurrency`
    /// in flight at once, waits until every one has reached a final state, and returns the
    /// truth the services recorded.
    ///
    /// - Throws: ``OrderFulfilmentError`` `invalidArgument`, or `timedOut` if no order reached a
    ///   final state for ``Configuration/effectiveTimeout``; `CancellationError` if cancelled.
    public func run(
        orders: Int, seed: UInt64, concurrency: Int, progress: (@Sendable (RunProgress) -> Void)? = nil
    ) async throws -> Truth {
        guard orders >= 0 else { throw OrderFulfilmentError(.invalidArgument, "orders is \(orders); use 0 or more") }
        return try await run(plans: plans(orders: orders, seed: seed), concurrency: concurrency, progress: progress)
    }

    /// Places the given orders, at most `concurrency` in flight at once, and returns the truth
    /// once every one has reached a final state: its terminal message was handled, a delivery
    /// failed for good, or a message went to a topic nobody consumes (stuck).
    ///
    /// Then the timers stop: pending ones, such as the deadline of a stuck order, never fire
    /// (in simulated time they all fire first, so the result does not depend on timing). An
    /// outage still going on ends, and the run waits until the bus is idle, so the truth holds
    /// every message published. `prepare` runs once the services are subscribed, before
    /// the first order (tests add spy consumers there).
    public func run(
        plans: [OrderPlan], concurrency: Int, progress: (@Sendable (RunProgress) -> Void)? = nil,
        prepare: (@Sendable (InMemoryBus) async throws -> Void)? = nil
    ) async throws -> Truth {
        guard concurrency >= 1 else {
            throw OrderFulfilmentError(.invalidArgument, "concurrency is \(concurrency); use 1 or more")
        }
        let bus = try InMemoryBus(configuration: configuration.bus, clock: clock)
        let recorder = TruthRecorder()
        let started = CountdownLatch(count: min(concurrency, plans.count))
        var settle: (@Sendable () async throws -> Void)?
        if configuration.simulatedTime {
            settle = {
                await started.wait()
                try await bus.waitUntilQuiescent()
            }
        }
        let timers = BusinessTimers(clock: clock, dayLength: configuration.dayLength, settle: settle)
        let checkout = try await Self.startServices(
            on: bus, style: configuration.style, recorder: recorder, timers: timers, traceMode: configuration.traceMode,
            missing: Set([configuration.faults.missingSubscriber].compactMap { $0 }), isRouted: { bus.hasSubscribers(topic: $0) }
        )
        try await prepare?(bus)
        let outage = configuration.faults.outage
        if let outage {
            try timers.schedule(afterDays: outage.startsAfterDays) { bus.pause(group: outage.service) }
            try timers.schedule(afterDays: outage.startsAfterDays + outage.lastsDays) { bus.resume(group: outage.service) }
        }
        enum Phase: Sendable { case ordersSettled, timersStopped, busStopped, timedOut }
        let limit = configuration.effectiveTimeout
        let drain = configuration.simulatedTime
        return try await withThrowingTaskGroup(of: Phase.self) { group in
            group.addTask {
                try await bus.run()
                return .busStopped
            }
            group.addTask {
                try await timers.run()
                return .timersStopped
            }
            group.addTask {
                try await Self.place(
                    plans, concurrency: concurrency, checkout: checkout, recorder: recorder, started: started, progress: progress
                )
                await timers.finish(drain: drain)
                if let outage { bus.resume(group: outage.service) }
                try await bus.waitUntilIdle()
                return .ordersSettled
            }
            group.addTask {
                try await Self.watch(recorder, limit: limit)
                return .timedOut
            }
            defer { group.cancelAll() }
            while let phase = try await group.next(), phase != .busStopped {
                switch phase {
                case .ordersSettled: return recorder.truth
                case .timedOut: throw Self.timedOut(recorder.truth, orders: plans.count, limit: limit)
                case .timersStopped, .busStopped: continue
                }
            }
            try Task.checkCancellation()
            throw OrderFulfilmentError(.busStopped, "the bus stopped before the orders ended")
        }
    }

    /// Places the orders through checkout, keeping at most `concurrency` of them unsettled;
    /// counts `started` down once per order placed (it opens with the first `concurrency`).
    private static func place(
        _ plans: [OrderPlan], concurrency: Int, checkout: CheckoutService<InMemoryBus>, recorder: TruthRecorder,
        started: CountdownLatch, progress: (@Sendable (RunProgress) -> Void)?
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func addOrder() {
                let plan = plans[next]
                next += 1
                group.addTask {
                    let orderID = try await checkout.place(plan)
                    started.countDown()
                    try await recorder.waitUntilSettled(orderID)
                }
            }
            while next < min(concurrency, plans.count) { addOrder() }
            while try await group.next() != nil {
                if next < plans.count { addOrder() }
                progress?(RunProgress(placed: next, total: plans.count, settled: recorder.settledCount))
            }
        }
    }

    /// Returns when no order reached a final state for `limit` (on a continuous clock).
    static func watch(_ recorder: TruthRecorder, limit: Duration) async throws {
        let clock = ContinuousClock()
        var last = recorder.settledCount
        while true {
            try await clock.sleep(for: limit)
            let now = recorder.settledCount
            if now == last { return }
            last = now
        }
    }

    static func timedOut(_ truth: Truth, orders: Int, limit: Duration) -> OrderFulfilmentError {
        let open = truth.flows.filter { $0.value.status == .inFlight }
        let shown = open.keys.sorted().prefix(5).map { id in "\(id) (after \(truth.flows[id]?.types.last ?? "nothing"))" }
        return OrderFulfilmentError(
            .timedOut,
            "no order reached a final state for \(limit); \(orders - open.count) of \(orders) did. Still open: "
                + shown.joined(separator: ", ") + ". Raise --timeout or check the bus's dead letters."
        )
    }
}
