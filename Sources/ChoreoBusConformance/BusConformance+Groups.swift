import ChoreoInstrumentation

extension BusConformance {
    /// Every group subscribed to a topic gets every message; consumers of one group share
    /// them, each message handled once in the group.
    public func consumerGroups() async throws {
        try await withRunningBus { bus in
            let topic = Self.topic("groups")
            let audit = Probe<String>()
            let sharedA = Probe<String>()
            let sharedB = Probe<String>()
            let both = Probe<String>()
            try await bus.subscribe(topic: topic, group: "audit") { audit.append($0.message.headers["id"] ?? "") }
            try await bus.subscribe(topic: topic, group: "shared") { delivery in
                sharedA.append(delivery.message.headers["id"] ?? "")
                both.append(delivery.message.headers["id"] ?? "")
            }
            try await bus.subscribe(topic: topic, group: "shared") { delivery in
                sharedB.append(delivery.message.headers["id"] ?? "")
                both.append(delivery.message.headers["id"] ?? "")
            }
            let ids = (1...20).map { "m-\($0)" }
            for index in 1...20 { try await bus.publish(Self.message(topic, index)) }
            let audited = try await audit.wait(for: 20, "audit deliveries")
            let shared = try await both.wait(for: 20, "shared deliveries")
            try await waitUntilNothingPending(bus)
            try check(audited.sorted() == ids.sorted(), "audit got every message once: \(audited)")
            try check(both.values.sorted() == ids.sorted(), "the shared group handled each message once: \(shared)")
            try check(sharedA.values.count + sharedB.values.count == 20, "the shared group's consumers split the messages")
        }
    }

    /// A consumer that dies mid-handling acknowledged nothing: the delivery is handed out
    /// again, to another consumer of the same group, with the message intact and the same
    /// attempt number (a crash is not a failed attempt), while the dead consumer's handler is
    /// still blocked. When that handler finally throws, nothing more happens: the message was
    /// handled once after the crash, no retry, no dead letter.
    public func redeliveryAfterCrash() async throws {
        let topic = Self.topic("crash")
        let crashing = try await fixture.makeBus()
        let entered = Probe<Delivery>()
        let gate = HandlerGate()
        let released = Probe<Int>()
        let survivor = Probe<Delivery>()
        let sent = Self.message(topic, 1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await fixture.run(crashing) }
            defer { group.cancelAll() }
            // On every way out: a handler still blocked at the gate would keep the bus from stopping.
            defer { gate.open() }
            try await crashing.subscribe(topic: topic, group: "g") { delivery in
                entered.append(delivery)
                if entered.values.count == 1 {
                    await gate.wait()
                    released.append(1)
                    throw SimulatedCrash()
                }
                survivor.append(delivery)
            }
            try await crashing.publish(sent)
            _ = try await entered.wait(for: 1, "the first delivery")
            try await fixture.crash(crashing)
            // Another consumer of the group (for a durable bus, another process) takes over
            // while the crashed handler is still blocked.
            let other = try await fixture.makeBus()
            group.addTask { try await fixture.run(other) }
            try await other.subscribe(topic: topic, group: "g") { survivor.append($0) }
            let redelivered = try await survivor.wait(for: 1, "redeliveries while the crashed handler is blocked")
            try check(redelivered[0].message == sent, "the redelivered message is the one published: \(redelivered[0].message)")
            try check(redelivered[0].attempt == 1, "a crash is not a failed attempt: redelivered as attempt \(redelivered[0].attempt)")
            gate.open()
            _ = try await released.wait(for: 1, "the crashed handler to end")
            try await waitUntilNothingPending(other)
            try check(survivor.values.count == 1, "handled once after the crash, got \(survivor.values.map(\.attempt))")
            try check(try await fixture.deadLetters(other).filter { $0.message.topic == topic }.isEmpty, "no dead letters")
        }
    }
}
