import ChoreoTestSupport
import ChoreoInstrumentation
import ChoreoModel
import InMemoryTracing
import Testing
import Tracing

@Suite("TracedBus subscribe")
struct TracedBusConsumeTests {
    struct Boom: Error {}

    @Test("a delivery is handled in a CONSUMER span, child of and linked to the producer span")
    func consumerSpan() async throws {
        let tracer = InMemoryTracer()
        let contexts = Recorder<MessageContext?>()
        let id = try await withRunningBus(tracer: tracer) { bus in
            try await TracedBus(bus, service: "payment").subscribe(topic: "payments", group: "payment") { _ in
                contexts.append(MessageContext.current)
            }
            return try await TracedBus(bus, service: "order").publish(
                type: "RetrievePayment", to: "payments", body: [9, 9], correlationID: "order-1"
            )
        }
        let producer = try #require(tracer.spans(.producer).first)
        let consumer = try #require(tracer.spans(.consumer).first)
        #expect(consumer.operationName == "process payments")
        #expect(consumer.traceID == producer.traceID)
        #expect(consumer.parentSpanID == producer.spanID)
        #expect(consumer.links.map { $0.context.inMemorySpanContext?.spanID } == [producer.spanID])
        #expect(consumer.string(MessagingKey.system) == "choreo")
        #expect(consumer.string(MessagingKey.operationType) == "process")
        #expect(consumer.string(MessagingKey.destinationName) == "payments")
        #expect(consumer.string(MessagingKey.consumerGroup) == "payment")
        #expect(consumer.string(MessagingKey.messageID) == id)
        #expect(consumer.string(MessagingKey.conversationID) == "order-1")
        #expect(consumer.int(MessagingKey.bodySize) == 2)
        #expect(consumer.string(ChoreoKey.eventType) == "RetrievePayment")
        #expect(consumer.string(ChoreoKey.source) == "order")
        #expect(consumer.string(MessagingKey.serviceName) == "payment")
        #expect(consumer.int(ChoreoKey.deliveryAttempt) == 1)
        #expect(consumer.string(ChoreoKey.deliveryOutcome) == "handled")
        #expect(consumer.status == nil)
        let context = try #require(contexts.values.first ?? nil)
        #expect(
            context
                == MessageContext(
                    messageID: id, correlationID: "order-1", type: "RetrievePayment", topic: "payments", group: "payment", attempt: 1
                ))
    }

    @Test("the handler runs inside the consumer span's context")
    func handlerContext() async throws {
        let tracer = InMemoryTracer()
        try await withRunningBus(tracer: tracer) { bus in
            try await TracedBus(bus, service: "s").subscribe(topic: "t", group: "g") { _ in
                withSpan("inner") { _ in }
            }
            try await TracedBus(bus, service: "s").publish(type: "X", to: "t")
        }
        let consumer = try #require(tracer.spans(.consumer).first)
        let inner = try #require(tracer.finishedSpans.first { $0.operationName == "inner" })
        #expect(inner.parentSpanID == consumer.spanID)
    }

    @Test("a failing handler yields outcome retry per attempt, then handled, with error details")
    func retryOutcomes() async throws {
        let tracer = InMemoryTracer()
        let clock = TestClock()
        try await withRunningBus(tracer: tracer, clock: clock) { bus in
            try await TracedBus(bus, service: "s").subscribe(topic: "t", group: "g") { delivery in
                if delivery.attempt < 3 { throw Boom() }
            }
            try await TracedBus(bus, service: "s").publish(type: "X", to: "t")
        }
        let consumers = tracer.spans(.consumer).sorted { ($0.int(ChoreoKey.deliveryAttempt) ?? 0) < ($1.int(ChoreoKey.deliveryAttempt) ?? 0) }
        #expect(consumers.map { $0.int(ChoreoKey.deliveryAttempt) } == [1, 2, 3])
        #expect(consumers.map { $0.string(ChoreoKey.deliveryOutcome) } == ["retry", "retry", "handled"])
        #expect(consumers.map { $0.string(MessagingKey.errorType) } == ["Boom", "Boom", nil])
        #expect(consumers.map { $0.status?.code } == [.error, .error, nil])
        #expect(consumers.map(\.errors.count) == [1, 1, 0])
        #expect(clock.sleeps.count == 2)
    }

    @Test("after maxAttempts the last consumer span says dead_lettered and the message is dead-lettered")
    func deadLettered() async throws {
        let tracer = InMemoryTracer()
        let configuration = InMemoryBus.Configuration(maxAttempts: 2)
        let (letters, id) = try await withRunningBus(tracer: tracer, configuration: configuration) { bus in
            try await TracedBus(bus, service: "s").subscribe(topic: "t", group: "g") { _ in throw Boom() }
            let id = try await TracedBus(bus, service: "s").publish(type: "X", to: "t")
            try await bus.waitUntilIdle()
            return (bus.deadLetters, id)
        }
        let outcomes = tracer.spans(.consumer).map { ($0.int(ChoreoKey.deliveryAttempt), $0.string(ChoreoKey.deliveryOutcome)) }
        #expect(outcomes.count == 2)
        #expect(outcomes.contains { $0.0 == 1 && $0.1 == "retry" })
        #expect(outcomes.contains { $0.0 == 2 && $0.1 == "dead_lettered" })
        #expect(letters.map { $0.message.headers[MessageHeader.id] } == [id])
    }

    @Test("a handler reporting a duplicate is acknowledged with outcome duplicate_ignored")
    func duplicate() async throws {
        let tracer = InMemoryTracer()
        let calls = Counter()
        let stats = try await withRunningBus(tracer: tracer) { bus in
            try await TracedBus(bus, service: "s").subscribe(topic: "t", group: "g") { _ in
                calls.increment()
                throw DuplicateMessage()
            }
            try await TracedBus(bus, service: "s").publish(type: "X", to: "t")
            try await bus.waitUntilIdle()
            return bus.statistics
        }
        #expect(calls.value == 1)
        #expect(stats.retried == 0 && stats.deadLettered == 0)
        let consumer = try #require(tracer.spans(.consumer).first)
        #expect(consumer.string(ChoreoKey.deliveryOutcome) == "duplicate_ignored")
        #expect(consumer.status == nil)
    }

    @Test("two groups each get a consumer span; competing consumers of one group handle a message once")
    func groups() async throws {
        let tracer = InMemoryTracer()
        let handled = Recorder<String>()
        try await withRunningBus(tracer: tracer) { bus in
            try await TracedBus(bus, service: "a").subscribe(topic: "t", group: "a") { _ in handled.append("a") }
            try await TracedBus(bus, service: "b").subscribe(topic: "t", group: "b") { _ in handled.append("b") }
            try await TracedBus(bus, service: "b").subscribe(topic: "t", group: "b") { _ in handled.append("b") }
            try await TracedBus(bus, service: "p").publish(type: "X", to: "t")
        }
        #expect(handled.values.sorted() == ["a", "b"])
        #expect(tracer.spans(.consumer).compactMap { $0.string(MessagingKey.consumerGroup) }.sorted() == ["a", "b"])
    }
}
