import ChoreoInstrumentation
import InMemoryTracing
import Testing

@Suite("InMemoryBus faults on demand")
struct InMemoryBusFaultTests {
    @Test("a paused group keeps its backlog while others go on, then drains it in order on resume")
    func pauseAndResume() async throws {
        let paused = Recorder<String>()
        let other = Counter()
        let configuration = InMemoryBus.Configuration(concurrencyPerSubscription: 1)
        let (held, pendingWhilePaused, stats) = try await withRunningBus(tracer: InMemoryTracer(), configuration: configuration) { bus in
            try await bus.subscribe(topic: "t", group: "paused") { paused.append($0.message.headers["id"] ?? "") }
            try await bus.subscribe(topic: "t", group: "other") { _ in other.increment() }
            #expect(bus.pause(group: "paused"))
            #expect(!bus.pause(group: "paused"), "pausing twice reports it")
            for i in 1...3 { try await bus.publish(Message(topic: "t", headers: ["id": "m-\(i)"])) }
            try await bus.waitUntilQuiescent()
            let held = paused.values
            let pending = bus.pendingDeliveries
            #expect(bus.pausedGroups == ["paused"])
            #expect(bus.resume(group: "paused"))
            try await bus.waitUntilIdle()
            return (held, pending, bus.statistics)
        }
        #expect(held.isEmpty, "nothing is handled during the outage")
        #expect(pendingWhilePaused == 3)
        #expect(other.value == 3)
        #expect(paused.values == ["m-1", "m-2", "m-3"])
        #expect(stats.handled == 6)
    }

    @Test("resuming a group that is not paused is reported")
    func resumeUnpaused() throws {
        let bus = try InMemoryBus()
        #expect(!bus.resume(group: "g"))
        #expect(bus.pausedGroups.isEmpty)
    }

    @Test("a message asking for a duplicate is delivered once more to the listed group only, after it was handled")
    func duplicateOnDemand() async throws {
        let listed = Recorder<Int>()
        let unlisted = Recorder<Int>()
        let stats = try await withRunningBus(tracer: InMemoryTracer()) { bus in
            try await bus.subscribe(topic: "t", group: "listed") { listed.append($0.attempt) }
            try await bus.subscribe(topic: "t", group: "unlisted") { unlisted.append($0.attempt) }
            try await bus.publish(Message(topic: "t", headers: [InMemoryBus.duplicateDeliveryHeader: "nobody, listed"]))
            try await bus.publish(Message(topic: "t"))
            try await bus.waitUntilIdle()
            return bus.statistics
        }
        #expect(listed.values.sorted() == [1, 1, 2], "the duplicate is a redelivery: attempt 2")
        #expect(unlisted.values == [1, 1])
        #expect(stats.duplicated == 1)
        #expect(stats.handled == 5)
    }

    @Test("a failed delivery is not duplicated; its successful retry is")
    func duplicateAfterRetry() async throws {
        let attempts = Recorder<Int>()
        let stats = try await withRunningBus(tracer: InMemoryTracer()) { bus in
            try await bus.subscribe(topic: "t", group: "g") { delivery in
                attempts.append(delivery.attempt)
                if delivery.attempt == 1 { throw InMemoryBusTests.Boom() }
            }
            try await bus.publish(Message(topic: "t", headers: [InMemoryBus.duplicateDeliveryHeader: "g"]))
            try await bus.waitUntilIdle()
            return bus.statistics
        }
        #expect(attempts.values == [1, 2, 3])
        #expect(stats.duplicated == 1)
        #expect(stats.retried == 1)
    }

    @Test("hasSubscribers tells whether a publish would be routed")
    func routing() async throws {
        let bus = try InMemoryBus()
        #expect(!bus.hasSubscribers(topic: "t"))
        try await bus.subscribe(topic: "t", group: "g") { _ in }
        #expect(bus.hasSubscribers(topic: "t"))
        #expect(!bus.hasSubscribers(topic: "u"))
    }

    @Test("quiescence waits for running handlers and retries, not for paused groups")
    func quiescence() async throws {
        let handled = Counter()
        try await withRunningBus(tracer: InMemoryTracer()) { bus in
            try await bus.subscribe(topic: "t", group: "g") { delivery in
                if delivery.attempt < 3 { throw InMemoryBusTests.Boom() }
                handled.increment()
            }
            try await bus.publish(Message(topic: "t"))
            try await bus.waitUntilQuiescent()
            #expect(handled.value == 1, "quiescent only after the retries ran")
            bus.pause(group: "g")
            try await bus.publish(Message(topic: "t"))
            try await bus.waitUntilQuiescent()
            #expect(bus.pendingDeliveries == 1)
            bus.resume(group: "g")
        }
        #expect(handled.value == 2)
    }
}
