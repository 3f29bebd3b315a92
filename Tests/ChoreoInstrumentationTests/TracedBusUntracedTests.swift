import ChoreoInstrumentation
import ChoreoModel
import ChoreoTestSupport
import Synchronization
import Testing
import Tracing

/// TracedBus with no instrument in effect, and with a tracer whose spans do not record: the
/// headers and the message context are what they always were, and no attribute work is done.
@Suite("TracedBus without tracing")
struct TracedBusUntracedTests {
    @Test("with no tracer: headers filled, old trace context removed, handler context bound, duplicates acknowledged")
    func noTracer() async throws {
        let bus = try InMemoryBus(configuration: InMemoryBus.Configuration(), clock: TestClock())
        let seen = Recorder<Message>()
        let contexts = Recorder<MessageContext?>()
        let serviceContexts = Recorder<Bool>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await bus.run() }
            try await bus.subscribe(topic: "y", group: "spy") { seen.append($0.message) }
            try await TracedBus(bus, service: "b").subscribe(topic: "x", group: "b") { delivery in
                contexts.append(MessageContext.current)
                serviceContexts.append(InstrumentationContext.current?.isEmpty ?? true)
                try await TracedBus(bus, service: "b").publish(type: "Y", to: "y")
                if delivery.message.headers[MessageHeader.type] == "Dup" { throw DuplicateMessage() }
            }
            let stale = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            let first = try await TracedBus(bus, service: "a").publish(
                type: "X", to: "x", headers: [MessageHeader.traceparent: stale, MessageHeader.tracestate: "k=v"],
                correlationID: "order-9"
            )
            try await TracedBus(bus, service: "a").publish(type: "Dup", to: "x", correlationID: "order-9")
            try await bus.waitUntilIdle()
            group.cancelAll()

            let handled = contexts.values.compactMap { $0 }
            #expect(handled.count == 2)
            #expect(handled.allSatisfy { $0.correlationID == "order-9" && $0.topic == "x" && $0.group == "b" })
            #expect(handled.contains { $0.messageID == first })
            #expect(serviceContexts.values == [true, true], "the handler sees no trace context")
            #expect(bus.statistics.handled == 4, "the duplicate was acknowledged, not retried")
            let y = try #require(seen.values.first)
            #expect(y.headers[MessageHeader.correlationID] == "order-9")
            #expect(y.headers[MessageHeader.source] == "b")
            #expect(y.headers[MessageHeader.id]?.isEmpty == false)
            #expect(seen.values.allSatisfy { $0.headers[MessageHeader.traceparent] == nil })
        }
    }

    @Test("the stale trace context of a published message is removed even without a tracer")
    func staleContextRemoved() async throws {
        let bus = try InMemoryBus(configuration: InMemoryBus.Configuration(), clock: TestClock())
        let seen = Recorder<Message>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await bus.run() }
            try await bus.subscribe(topic: "x", group: "spy") { seen.append($0.message) }
            try await TracedBus(bus, service: "a").publish(
                Message(topic: "x", headers: [MessageHeader.traceparent: "00-x", MessageHeader.tracestate: "k=v"])
            )
            try await bus.waitUntilIdle()
            group.cancelAll()
        }
        let message = try #require(seen.values.first)
        #expect(message.headers[MessageHeader.traceparent] == nil)
        #expect(message.headers[MessageHeader.tracestate] == nil)
        #expect(message.headers[MessageHeader.source] == "a")
    }

    @Test("a span that does not record gets no attributes, no links and no outcome written")
    func notRecording() async throws {
        let tracer = CountingTracer()
        let bus = try InMemoryBus(configuration: InMemoryBus.Configuration(), clock: TestClock())
        try await withTracer(tracer) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await bus.run() }
                try await TracedBus(bus, service: "b").subscribe(topic: "x", group: "b") { _ in }
                try await TracedBus(bus, service: "a").publish(type: "X", to: "x")
                try await bus.waitUntilIdle()
                group.cancelAll()
            }
        }
        #expect(tracer.counts.started == 2)
        #expect(tracer.counts.ended == 2)
        #expect(tracer.counts.attributeWrites == 0)
        #expect(tracer.counts.links == 0)
    }
}

/// A tracer whose spans never record, counting what instrumentation asks of them.
final class CountingTracer: Tracer, Sendable {
    struct Counts { var started = 0, ended = 0, attributeWrites = 0, links = 0 }
    let state = Mutex(Counts())
    var counts: Counts { state.withLock { $0 } }

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: Tracing.SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> Span {
        state.withLock { $0.started += 1 }
        return Span(context: context(), tracer: self)
    }

    func forceFlush() {}
    /// A context extracted from a carrier with a `traceparent` is not empty, so a consumer span would link to it.
    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        if extractor.extract(key: MessageHeader.traceparent, from: carrier) != nil { context[Marker.self] = true }
    }
    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        injector.inject("00-marker", forKey: MessageHeader.traceparent, into: &carrier)
    }

    enum Marker: ServiceContextKey { typealias Value = Bool }

    final class Span: Tracing.Span, Sendable {
        let context: ServiceContext
        let tracer: CountingTracer
        init(context: ServiceContext, tracer: CountingTracer) {
            self.context = context
            self.tracer = tracer
        }
        var operationName: String {
            get { "" }
            set {}
        }
        var attributes: SpanAttributes {
            get { [:] }
            set { tracer.state.withLock { $0.attributeWrites += 1 } }
        }
        var isRecording: Bool { false }
        func setStatus(_ status: SpanStatus) {}
        func addEvent(_ event: Tracing.SpanEvent) {}
        func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {}
        func addLink(_ link: Tracing.SpanLink) { tracer.state.withLock { $0.links += 1 } }
        func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) { tracer.state.withLock { $0.ended += 1 } }
    }
}
