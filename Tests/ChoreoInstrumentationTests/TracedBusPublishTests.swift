import ChoreoInstrumentation
import ChoreoModel
import InMemoryTracing
import Testing
import Tracing

@Suite("TracedBus publish")
struct TracedBusPublishTests {
    @Test("publish starts a PRODUCER span with the messaging and choreo attributes")
    func producerSpan() async throws {
        let tracer = InMemoryTracer()
        let id = try await withRunningBus(tracer: tracer) { bus in
            try await TracedBus(bus, service: "checkout").publish(
                type: "OrderPlaced", to: "orders", body: [1, 2, 3], correlationID: "order-000042"
            )
        }
        let span = try #require(tracer.spans(.producer).first)
        #expect(tracer.finishedSpans.count == 1)
        #expect(span.operationName == "send orders")
        #expect(span.string(MessagingKey.system) == "choreo")
        #expect(span.string(MessagingKey.destinationName) == "orders")
        #expect(span.string(MessagingKey.operationType) == "send")
        #expect(span.string(MessagingKey.operationName) == "publish")
        #expect(span.string(MessagingKey.messageID) == id)
        #expect(span.string(MessagingKey.conversationID) == "order-000042")
        #expect(span.int(MessagingKey.bodySize) == 3)
        #expect(span.string(ChoreoKey.eventType) == "OrderPlaced")
        #expect(span.string(ChoreoKey.source) == "checkout")
        #expect(span.string(MessagingKey.serviceName) == "checkout")
        #expect(span.attributes.get(ChoreoKey.causationID) == nil)
        #expect(span.attributes.get(ChoreoKey.compensates) == nil)
        #expect(span.status == nil)
    }

    @Test("the span's context is injected into the headers and the CloudEvents headers are set")
    func headers() async throws {
        let tracer = InMemoryTracer()
        let seen = Recorder<Message>()
        let id = try await withRunningBus(tracer: tracer) { bus in
            try await bus.subscribe(topic: "orders", group: "spy") { seen.append($0.message) }
            return try await TracedBus(bus, service: "checkout").publish(
                type: "OrderPlaced", to: "orders", headers: ["x-tenant": "acme"]
            )
        }
        let span = try #require(tracer.spans(.producer).first)
        let headers = try #require(seen.values.first).headers
        #expect(headers[InMemoryTracer.traceIDKey] == span.traceID)
        #expect(headers[InMemoryTracer.spanIDKey] == span.spanID)
        #expect(headers[MessageHeader.id] == id)
        #expect(headers[MessageHeader.type] == "OrderPlaced")
        #expect(headers[MessageHeader.source] == "checkout")
        #expect(headers["x-tenant"] == "acme")
        // Outside a handler and without a correlation id, a message starts its own flow.
        #expect(headers[MessageHeader.correlationID] == id)
        #expect(headers[MessageHeader.causationID] == nil)
    }

    @Test("message ids are unique")
    func uniqueIDs() {
        let ids = (0..<10_000).map { _ in MessageID.next() }
        #expect(Set(ids).count == ids.count)
    }

    @Test("a message id is the process's 16 hex digits, a dash and the next count")
    func idFormat() throws {
        let ids = (0..<1_100).map { _ in MessageID.next() }
        let parts = ids.map { $0.split(separator: "-", omittingEmptySubsequences: false) }
        #expect(parts.allSatisfy { $0.count == 2 && $0[0].count == 16 })
        #expect(parts.allSatisfy { $0[0].allSatisfy { "0123456789abcdef".contains($0) } })
        #expect(Set(parts.map { $0[0] }).count == 1, "one prefix per process")
        let counts = try parts.map { try #require(UInt64($0[1])) }
        #expect(zip(counts, counts.dropFirst()).allSatisfy { $1 > $0 }, "counts increase")
        #expect(parts.allSatisfy { !$0[1].hasPrefix("0") }, "no leading zeros")
    }

    @Test("a raw publish gets the missing headers filled and keeps the ones it has")
    func rawPublish() async throws {
        let seen = Recorder<Message>()
        try await withRunningBus(tracer: InMemoryTracer()) { bus in
            try await bus.subscribe(topic: "t", group: "spy") { seen.append($0.message) }
            let traced = TracedBus(bus, service: "svc")
            try await traced.publish(Message(topic: "t", headers: ["id": "m-7", "correlation-id": "c-1"]))
            try await traced.publish(Message(topic: "t", headers: ["source": "elsewhere", "traceparent": "stale"]))
        }
        let first = try #require(seen.values.first { $0.headers["id"] == "m-7" })
        #expect(first.headers[MessageHeader.correlationID] == "c-1")
        #expect(first.headers[MessageHeader.source] == "svc")
        let second = try #require(seen.values.first { $0.headers["id"] != "m-7" })
        #expect(second.headers[MessageHeader.source] == "elsewhere")
        #expect(second.headers[MessageHeader.id]?.isEmpty == false)
        #expect(second.headers[MessageHeader.traceparent] == nil, "stale trace context is replaced, never forwarded")
    }

    @Test("a failed publish records the error on the producer span and rethrows")
    func failedPublish() async throws {
        struct Refused: Error {}
        struct RefusingBus: MessageBus {
            func publish(_ message: Message) async throws { throw Refused() }
            func subscribe(topic: String, group: String, handler: @escaping MessageHandler) async throws {}
        }
        let tracer = InMemoryTracer()
        _ = await withTracer(tracer) {
            await #expect(throws: Refused.self) {
                try await TracedBus(RefusingBus(), service: "svc").publish(type: "X", to: "t")
            }
        }
        let span = try #require(tracer.spans(.producer).first)
        #expect(span.status?.code == .error)
        #expect(span.errors.count == 1)
        #expect(span.string(MessagingKey.errorType) == "Refused")
    }
}
