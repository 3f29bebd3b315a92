import ChoreoTestSupport
import ChoreoInstrumentation
import InMemoryTracing
import Testing

@Suite("InMemoryBus")
struct InMemoryBusTests {
    struct Boom: Error {}

    @Test("every group subscribed to a topic gets each message, competing consumers of one group share it")
    func consumerGroups() async throws {
        let billing = Counter()
        let audit1 = Counter()
        let audit2 = Counter()
        let stats = try await withRunningBus(tracer: InMemoryTracer()) { bus in
            try await bus.subscribe(topic: "t", group: "billing") { _ in billing.increment() }
            try await bus.subscribe(topic: "t", group: "audit") { _ in audit1.increment() }
            try await bus.subscribe(topic: "t", group: "audit") { _ in audit2.increment() }
            for i in 0..<10 { try await bus.publish(Message(topic: "t", body: [UInt8(i)])) }
            try await bus.waitUntilIdle()
            return bus.statistics
        }
        #expect(billing.value == 10)
        #expect(audit1.value + audit2.value == 10)
        #expect(audit1.value > 0 && audit2.value > 0)
        #expect(stats.handled == 20)
        #expect(stats.published == 10)
    }

    @Test("a failing handler is retried with exponential backoff on the injected clock, then succeeds")
    func retryWithBackoff() async throws {
        let clock = TestClock()
        let attempts = Recorder<Int>()
        let configuration = InMemoryBus.Configuration(maxAttempts: 5, initialBackoff: .milliseconds(100))
        let stats = try await withRunningBus(tracer: InMemoryTracer(), configuration: configuration, clock: clock) { bus in
            try await bus.subscribe(topic: "t", group: "g") { delivery in
                attempts.append(delivery.attempt)
                if delivery.attempt < 3 { throw Boom() }
            }
            try await bus.publish(Message(topic: "t"))
            try await bus.waitUntilIdle()
            return bus.statistics
        }
        #expect(attempts.values == [1, 2, 3])
        #expect(clock.sleeps == [.milliseconds(100), .milliseconds(200)])
        #expect(stats.retried == 2)
        #expect(stats.handled == 1)
        #expect(stats.deadLettered == 0)
    }

    @Test("after maxAttempts failures the message is dead-lettered with its group and error")
    func deadLetter() async throws {
        let configuration = InMemoryBus.Configuration(maxAttempts: 3)
        let (letters, stats) = try await withRunningBus(tracer: InMemoryTracer(), configuration: configuration) { bus in
            try await bus.subscribe(topic: "t", group: "g") { _ in throw Boom() }
            try await bus.subscribe(topic: "t", group: "ok") { _ in }
            try await bus.publish(Message(topic: "t", headers: ["id": "m-1"]))
            try await bus.waitUntilIdle()
            return (bus.deadLetters, bus.statistics)
        }
        let letter = try #require(letters.first)
        #expect(letters.count == 1)
        #expect(letter.group == "g")
        #expect(letter.attempts == 3)
        #expect(letter.message.headers["id"] == "m-1")
        #expect(letter.errorType == "Boom")
        #expect(stats.deadLettered == 1)
        #expect(stats.handled == 1)
    }

    @Test("the dead-letter list is bounded and counts what it drops")
    func deadLetterCapacity() async throws {
        let configuration = InMemoryBus.Configuration(maxAttempts: 1, deadLetterCapacity: 2)
        let (letters, stats) = try await withRunningBus(tracer: InMemoryTracer(), configuration: configuration) { bus in
            try await bus.subscribe(topic: "t", group: "g") { _ in throw Boom() }
            for i in 0..<5 { try await bus.publish(Message(topic: "t", headers: ["id": "m-\(i)"])) }
            try await bus.waitUntilIdle()
            return (bus.deadLetters, bus.statistics)
        }
        #expect(letters.count == 2)
        #expect(stats.deadLettered == 5)
        #expect(stats.deadLettersDropped == 3)
    }

    @Test("a subscription runs at most concurrencyPerSubscription handlers at once", .timeLimit(.minutes(1)))
    func boundedConcurrency() async throws {
        let gate = Gate(opensAt: 2)
        let configuration = InMemoryBus.Configuration(concurrencyPerSubscription: 2)
        try await withRunningBus(tracer: InMemoryTracer(), configuration: configuration) { bus in
            try await bus.subscribe(topic: "t", group: "g") { _ in await gate.enter() }
            for _ in 0..<6 { try await bus.publish(Message(topic: "t")) }
            try await bus.waitUntilIdle()
        }
        #expect(gate.maxActive == 2)
        #expect(gate.entered == 6)
    }

    @Test("a message to a topic without subscribers is dropped and counted")
    func unrouted() async throws {
        let bus = try InMemoryBus()
        try await bus.publish(Message(topic: "nobody"))
        #expect(bus.statistics.unrouted == 1)
        #expect(bus.pendingDeliveries == 0)
        try await bus.waitUntilIdle()
    }

    @Test("run() twice is rejected with a clear error")
    func runTwice() async throws {
        let bus = try InMemoryBus()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await bus.run() }
            try await bus.subscribe(topic: "t", group: "g") { _ in }
            try await bus.publish(Message(topic: "t"))
            try await bus.waitUntilIdle()  // the first run() is delivering
            await #expect(throws: BusError(.alreadyRunning, "run() was already called on this bus; create a new InMemoryBus to run again")) {
                try await bus.run()
            }
            group.cancelAll()
        }
    }

    @Test(
        "an invalid configuration is rejected at init",
        arguments: [
            InMemoryBus.Configuration(maxAttempts: 0),
            InMemoryBus.Configuration(concurrencyPerSubscription: 0),
            InMemoryBus.Configuration(queueCapacity: 0),
            InMemoryBus.Configuration(initialBackoff: .seconds(2), maxBackoff: .seconds(1)),
        ])
    func invalidConfiguration(_ configuration: InMemoryBus.Configuration) {
        #expect(throws: BusError.self) { try InMemoryBus(configuration: configuration) }
    }

    @Test(
        "backoff doubles per attempt and is capped",
        arguments: [
            (1, 100), (2, 200), (3, 400), (4, 800), (5, 1_000), (40, 1_000),
        ])
    func backoff(attempt: Int, milliseconds: Int) {
        let configuration = InMemoryBus.Configuration(initialBackoff: .milliseconds(100), maxBackoff: .seconds(1))
        #expect(configuration.backoff(afterAttempt: attempt) == .milliseconds(milliseconds))
    }
}
