import ChoreoBusConformance
import ChoreoInstrumentation
import InMemoryTracing
import Testing

@Suite("InMemoryBus consumer crashes", .timeLimit(.minutes(1)))
struct InMemoryBusCrashTests {
    /// A safety net for waits on work in this process (never an assertion on timing).
    static let limit = Duration.seconds(10)

    @Test(
        "a crashed consumer's delivery goes, as the same attempt, to the group's next consumer while the dead handler is blocked; its late failure settles nothing"
    )
    func crashMidHandling() async throws {
        let entered = Probe<String>()
        let gate = HandlerGate()
        let released = Probe<Int>()
        let successor = Probe<String>()
        let other = Probe<String>()
        // One worker per subscription: the successor is served only if the stuck worker is replaced.
        let configuration = InMemoryBus.Configuration(concurrencyPerSubscription: 1)
        let stats = try await withRunningBus(tracer: InMemoryTracer(), configuration: configuration) { bus in
            // On every way out: a handler still blocked at the gate would keep the bus from stopping.
            defer { gate.open() }
            try await bus.subscribe(topic: "t", group: "g") { delivery in
                entered.append(delivery.message.headers["id"] ?? "")
                await gate.wait()
                released.append(1)
                throw InMemoryBusTests.Boom()
            }
            try await bus.subscribe(topic: "t", group: "h") { other.append($0.message.headers["id"] ?? "") }
            for i in 1...2 { try await bus.publish(Message(topic: "t", headers: ["id": "m-\(i)"])) }
            _ = try await entered.wait(for: 1, limit: Self.limit, "the first delivery")
            #expect(bus.crashConsumers(group: "g") == 1, "one delivery was being handled")
            try await bus.subscribe(topic: "t", group: "g") { delivery in
                successor.append("\(delivery.message.headers["id"] ?? "")@\(delivery.attempt)")
            }
            let handed = try await successor.wait(for: 2, limit: Self.limit, "deliveries to the new consumer while the dead handler is blocked")
            #expect(handed.sorted() == ["m-1@1", "m-2@1"])
            gate.open()
            _ = try await released.wait(for: 1, limit: Self.limit, "the dead handler to end")
            try await bus.waitUntilIdle()
            return bus.statistics
        }
        #expect(entered.values == ["m-1"], "the crashed consumer got nothing more")
        #expect(successor.values.count == 2, "nothing retried after the dead handler threw")
        #expect(other.values.sorted() == ["m-1", "m-2"], "another group is not affected")
        #expect(stats.abandoned == 1 && stats.retried == 0 && stats.deadLettered == 0 && stats.handled == 4, "\(stats)")
    }

    @Test("a crashed group's messages wait for a new consumer; the crashed handler gets none")
    func crashIdleGroup() async throws {
        let crashed = Probe<String>()
        let successor = Probe<String>()
        try await withRunningBus(tracer: InMemoryTracer()) { bus in
            try await bus.subscribe(topic: "t", group: "g") { crashed.append($0.message.headers["id"] ?? "") }
            #expect(bus.crashConsumers() == 0, "nothing was being handled")
            try await bus.publish(Message(topic: "t", headers: ["id": "m-1"]))
            #expect(bus.pendingDeliveries == 1)
            try await bus.subscribe(topic: "t", group: "g") { successor.append($0.message.headers["id"] ?? "") }
            _ = try await successor.wait(for: 1, limit: Self.limit, "the delivery to the new consumer")
        }
        #expect(crashed.values.isEmpty)
        #expect(successor.values == ["m-1"])
    }
}
