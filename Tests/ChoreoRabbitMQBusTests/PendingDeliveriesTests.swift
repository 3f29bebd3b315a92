import ChoreoBusConformance
import ChoreoInstrumentation
import ChoreoRabbitMQBus
import Testing

/// The system-wide pending count a process subscribed to nothing asks for by name.
@Suite("RabbitMQ bus: pending deliveries of named subscriptions", .enabled(if: TestBroker.url != nil, TestBroker.skipReason), .timeLimit(.minutes(1)))
struct PendingDeliveriesTests {
    @Test("counts the ready messages of the named groups' queues; a queue nobody declared counts 0 and breaks nothing")
    func namedQueues() async throws {
        let configuration = try TestBroker.configuration(prefix: TestBroker.freshPrefix("pending"))
        // A service subscribes (declaring its queue) and goes away, leaving its queue to fill.
        let service = try RabbitMQBus(configuration: configuration)
        let serviceRun = Task { try await service.run() }
        try await service.subscribe(topic: "orders", group: "billing") { _ in }
        serviceRun.cancel()
        _ = await serviceRun.result

        let driver = try RabbitMQBus(configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await driver.run() }
            defer { group.cancelAll() }
            for index in 1...5 { try await driver.publish(Message(topic: "orders", headers: ["id": "o-\(index)"])) }
            let named = try await driver.pendingDeliveries(subscriptions: [("orders", "billing")])
            #expect(named == 5, "the five messages waiting in billing's queue")
            // The missing queue's 404 closes a channel; the count goes on past it, and again.
            let withMissing = try await driver.pendingDeliveries(subscriptions: [("orders", "nobody"), ("orders", "billing"), ("other", "nobody")])
            #expect(withMissing == 5, "queues nobody declared count 0")
            #expect(try await driver.pendingDeliveries(subscriptions: [("other", "nobody")]) == 0)
            // The connection is fine afterwards: a publish is confirmed and counted.
            try await driver.publish(Message(topic: "orders", headers: ["id": "o-6"]))
            #expect(try await driver.pendingDeliveries(subscriptions: [("orders", "billing"), ("orders", "billing")]) == 6, "a queue named twice counts once")
            #expect(try await driver.pendingDeliveries() == 0, "the driver's own count sees only its own (no) subscriptions")
        }
    }

    @Test("a topic or group that cannot name a queue is refused")
    func invalidNames() async throws {
        let bus = try RabbitMQBus(configuration: try TestBroker.configuration(prefix: TestBroker.freshPrefix("pending")))
        let error = await #expect(throws: BusError.self) { try await bus.pendingDeliveries(subscriptions: [("orders", "a/b")]) }
        #expect(error?.code == .invalidConfiguration)
    }
}
