import ChoreoInstrumentation
import ChoreoModel
import InMemoryTracing
import Testing
import Tracing

@Suite("TracedBus flows")
struct TracedBusFlowTests {
    @Test("a handler's publishes inherit the correlation id and name the handled message as cause, over two hops")
    func correlationAcrossHops() async throws {
        let tracer = InMemoryTracer()
        let seen = Recorder<Message>()
        let first = try await withRunningBus(tracer: tracer) { bus in
            try await bus.subscribe(topic: "z", group: "spy") { seen.append($0.message) }
            try await bus.subscribe(topic: "y", group: "spy") { seen.append($0.message) }
            try await TracedBus(bus, service: "b").subscribe(topic: "x", group: "b") { _ in
                try await TracedBus(bus, service: "b").publish(type: "Y", to: "y")
            }
            try await TracedBus(bus, service: "c").subscribe(topic: "y", group: "c") { _ in
                try await TracedBus(bus, service: "c").publish(type: "Z", to: "z")
            }
            return try await TracedBus(bus, service: "a").publish(type: "X", to: "x", correlationID: "order-7")
        }
        let y = try #require(seen.values.first { $0.topic == "y" })
        let z = try #require(seen.values.first { $0.topic == "z" })
        #expect(y.headers[MessageHeader.correlationID] == "order-7")
        #expect(z.headers[MessageHeader.correlationID] == "order-7")
        #expect(y.headers[MessageHeader.causationID] == first)
        #expect(z.headers[MessageHeader.causationID] == y.headers[MessageHeader.id])
        #expect(Set(tracer.finishedSpans.compactMap { $0.string(MessagingKey.conversationID) }) == ["order-7"])
        #expect(Set(tracer.finishedSpans.map(\.traceID)).count == 1, "a short flow is one trace by default")
        let producerZ = try #require(tracer.spans(.producer).first { $0.string(ChoreoKey.eventType) == "Z" })
        #expect(producerZ.string(ChoreoKey.causationID) == y.headers[MessageHeader.id])
        let consumerC = try #require(tracer.spans(.consumer).first { $0.string(MessagingKey.consumerGroup) == "c" })
        #expect(producerZ.parentSpanID == consumerC.spanID)
    }

    @Test("an explicit correlation id inside a handler wins over the inherited one; the handled message is still the cause")
    func explicitCorrelation() async throws {
        let seen = Recorder<Message>()
        let handled = try await withRunningBus(tracer: InMemoryTracer()) { bus in
            try await bus.subscribe(topic: "y", group: "spy") { seen.append($0.message) }
            try await TracedBus(bus, service: "b").subscribe(topic: "x", group: "b") { _ in
                try await TracedBus(bus, service: "b").publish(type: "Y", to: "y", correlationID: "other")
            }
            return try await TracedBus(bus, service: "a").publish(type: "X", to: "x", correlationID: "order-7")
        }
        #expect(seen.values.first?.headers[MessageHeader.correlationID] == "other")
        #expect(seen.values.first?.headers[MessageHeader.causationID] == handled)
    }

    @Test("a compensating publish carries the compensates header and attribute to producer and consumer")
    func compensates() async throws {
        let tracer = InMemoryTracer()
        let seen = Recorder<Message>()
        try await withRunningBus(tracer: tracer) { bus in
            try await TracedBus(bus, service: "payment").subscribe(topic: "refunds", group: "payment") { seen.append($0.message) }
            try await TracedBus(bus, service: "order").publish(
                type: "RefundPayment", to: "refunds", correlationID: "order-1", compensating: "msg-payment-received"
            )
        }
        #expect(seen.values.first?.headers[MessageHeader.compensates] == "msg-payment-received")
        #expect(tracer.spans(.producer).first?.string(ChoreoKey.compensates) == "msg-payment-received")
        #expect(tracer.spans(.consumer).first?.string(ChoreoKey.compensates) == "msg-payment-received")
    }

    @Test(
        "alias correlation and causation headers are accepted on extract",
        arguments: [
            ("correlation-id", "causation-id"), ("x-correlation-id", "causationid"), ("correlationid", "causation-id"),
        ])
    func aliases(correlationHeader: String, causationHeader: String) async throws {
        let tracer = InMemoryTracer()
        let seen = Recorder<Message>()
        try await withRunningBus(tracer: tracer) { bus in
            try await bus.subscribe(topic: "y", group: "spy") { seen.append($0.message) }
            try await TracedBus(bus, service: "b").subscribe(topic: "x", group: "b") { _ in
                try await TracedBus(bus, service: "b").publish(type: "Y", to: "y")
            }
            // A foreign producer, not traced, using alias header names.
            try await bus.publish(
                Message(
                    topic: "x",
                    headers: [
                        "id": "m-1", "type": "X", correlationHeader: "c-9", causationHeader: "m-0",
                    ]))
        }
        let consumer = try #require(tracer.spans(.consumer).first)
        #expect(consumer.string(MessagingKey.conversationID) == "c-9")
        #expect(consumer.string(ChoreoKey.causationID) == "m-0")
        #expect(consumer.links.isEmpty, "no producer context to link to")
        let y = try #require(seen.values.first)
        #expect(y.headers[MessageHeader.correlationID] == "c-9")
        #expect(y.headers[MessageHeader.causationID] == "m-1")
    }

    @Test("in new-trace-per-step mode the consumer starts a new trace and keeps a link to the producer")
    func newTracePerStep() async throws {
        let tracer = InMemoryTracer()
        try await withRunningBus(tracer: tracer) { bus in
            try await TracedBus(bus, service: "b", traceMode: .newTracePerStep).subscribe(topic: "x", group: "b") { _ in }
            try await TracedBus(bus, service: "a").publish(type: "X", to: "x", correlationID: "order-1")
        }
        let producer = try #require(tracer.spans(.producer).first)
        let consumer = try #require(tracer.spans(.consumer).first)
        #expect(consumer.traceID != producer.traceID)
        #expect(consumer.parentSpanID == nil)
        let link = try #require(consumer.links.first?.context.inMemorySpanContext)
        #expect(link.traceID == producer.traceID)
        #expect(link.spanID == producer.spanID)
        #expect(consumer.string(MessagingKey.conversationID) == "order-1")
    }

    @Test(
        "garbage trace context and metadata headers never crash; the message is handled",
        arguments: [
            ["traceparent": "garbage", "tracestate": "\u{0}\u{1}", "baggage": "%%%;;=="],
            ["traceparent": "00-zzzz-yyyy-01", InMemoryTracer.traceIDKey: "", InMemoryTracer.spanIDKey: ""],
            ["id": "", "correlationid": "", "causationid": "", "type": "", "TRACEPARENT": String(repeating: "f", count: 300)],
        ])
    func garbageHeaders(headers: [String: String]) async throws {
        let tracer = InMemoryTracer()
        let seen = Recorder<Message>()
        try await withRunningBus(tracer: tracer) { bus in
            try await bus.subscribe(topic: "y", group: "spy") { seen.append($0.message) }
            try await TracedBus(bus, service: "b").subscribe(topic: "x", group: "b") { delivery in
                // Forward the incoming headers: stale trace context must be replaced.
                try await TracedBus(bus, service: "b").publish(Message(topic: "y", headers: delivery.message.headers))
            }
            try await bus.publish(Message(topic: "x", headers: headers))
        }
        let consumer = try #require(tracer.spans(.consumer).first)
        #expect(consumer.string(ChoreoKey.deliveryOutcome) == "handled")
        let forwarded = try #require(seen.values.first)
        #expect(forwarded.headers[MessageHeader.traceparent] == nil)
        #expect(forwarded.headers[MessageHeader.correlationID]?.isEmpty == false)
    }
}
