import ChoreoModel
import ChoreoTracer
import Testing
import Tracing

@Suite("A ChoreoSpan becomes a SpanRecord")
struct ChoreoSpanRecordTests {
    @Test(
        "a root span records its name, times, ids, resource and scope",
        arguments: [
            (Tracing.SpanKind.server, ChoreoModel.SpanKind.server),
            (.client, .client),
            (.producer, .producer),
            (.consumer, .consumer),
            (.internal, .internal),
        ])
    func rootSpan(kind: Tracing.SpanKind, expected: ChoreoModel.SpanKind) throws {
        let (tracer, processor) = makeRecordingTracer()
        let span = tracer.startSpan("send orders", context: .topLevel, ofKind: kind, at: instant(1_000))
        span.end(at: instant(5_000))

        let record = try processor.single()
        #expect(record.name == "send orders")
        #expect(record.kind == expected)
        #expect(record.startTimeUnixNano == 1_000)
        #expect(record.endTimeUnixNano == 5_000)
        #expect(record.traceID == span.spanContext.traceID)
        #expect(record.spanID == span.spanContext.spanID)
        #expect(record.traceID.isValid && record.spanID.isValid)
        #expect(record.parentSpanID == nil)
        #expect(record.serviceName == "checkout")
        #expect(record.resourceAttributes == ["deployment.environment": .string("test")])
        #expect(record.scopeName == ChoreoTracer.defaultScopeName)
        #expect(record.statusCode == .unset)
    }

    @Test("a span started in a span's context is its child in the same trace")
    func childSpan() throws {
        let (tracer, processor) = makeRecordingTracer()
        let parent = tracer.startSpan("parent", context: .topLevel)
        let child = tracer.startSpan("child", context: parent.context)
        child.end()
        parent.end()

        let records = processor.records
        try #require(records.count == 2)
        let (childRecord, parentRecord) = (records[0], records[1])
        #expect(childRecord.traceID == parentRecord.traceID)
        #expect(childRecord.parentSpanID == parentRecord.spanID)
        #expect(childRecord.spanID != parentRecord.spanID)
        #expect(child.context.choreoSpanContext?.spanID == childRecord.spanID)
    }

    @Test("withSpan nests through the task-local context")
    func withSpanNesting() throws {
        let (tracer, processor) = makeRecordingTracer()
        tracer.withSpan("outer") { _ in
            tracer.withSpan("inner") { _ in }
        }
        let records = processor.records
        try #require(records.count == 2)
        #expect(records[0].name == "inner")
        #expect(records[0].parentSpanID == records[1].spanID)
        #expect(records[0].traceID == records[1].traceID)
    }

    @Test(
        "attributes of every type convert to model values",
        arguments: [
            (SpanAttribute.string("s"), AttributeValue.string("s")),
            (.int32(7), .int(7)),
            (.int64(-9_000_000_000), .int(-9_000_000_000)),
            (.double(2.5), .double(2.5)),
            (.bool(true), .bool(true)),
            (.stringArray(["a", "b"]), .stringArray(["a", "b"])),
            (.int32Array([1, 2]), .intArray([1, 2])),
            (.int64Array([3, 4]), .intArray([3, 4])),
            (.doubleArray([0.5, 1.5]), .doubleArray([0.5, 1.5])),
            (.boolArray([true, false]), .boolArray([true, false])),
            (.stringConvertible(42), .string("42")),
            (.stringConvertibleArray([1, 2]), .stringArray(["1", "2"])),
        ])
    func attributeConversion(attribute: SpanAttribute, expected: AttributeValue) throws {
        let (tracer, processor) = makeRecordingTracer()
        let span = tracer.startSpan("op", context: .topLevel)
        span.attributes.set("key", value: attribute)
        span.end()
        #expect(try processor.single().attributes == ["key": expected])
    }

    @Test("events keep their name, time and attributes")
    func events() throws {
        let (tracer, processor) = makeRecordingTracer()
        let span = tracer.startSpan("op", context: .topLevel)
        span.addEvent(Tracing.SpanEvent(name: "retry", at: instant(77), attributes: ["attempt": 2]))
        span.end()
        let event = try #require(try processor.single().events.first)
        #expect(event == ChoreoModel.SpanEvent(name: "retry", timeUnixNano: 77, attributes: ["attempt": .int(2)]))
    }

    @Test("recordError adds an exception event and leaves the status alone")
    func recordError() throws {
        struct PaymentDeclined: Error, CustomStringConvertible {
            var description: String { "card declined" }
        }
        let (tracer, processor) = makeRecordingTracer()
        let span = tracer.startSpan("op", context: .topLevel)
        span.recordError(PaymentDeclined(), attributes: ["extra": "x"], at: instant(10))
        span.end()

        let record = try processor.single()
        #expect(record.statusCode == .unset)
        let event = try #require(record.events.first)
        #expect(event.name == "exception")
        #expect(event.timeUnixNano == 10)
        #expect(event.attributes["exception.message"] == .string("card declined"))
        #expect(event.attributes["exception.type"]?.stringValue?.hasSuffix("PaymentDeclined") == true)
        #expect(event.attributes["extra"] == .string("x"))
    }

    @Test("withSpan marks a thrown error: exception event and error status")
    func withSpanError() throws {
        struct Boom: Error {}
        let (tracer, processor) = makeRecordingTracer()
        #expect(throws: Boom.self) {
            try tracer.withSpan("op") { _ in throw Boom() }
        }
        let record = try processor.single()
        #expect(record.statusCode == .error)
        #expect(record.events.map(\.name) == ["exception"])
    }

    @Test("an ok status is final and an error keeps its message")
    func status() throws {
        let (tracer, processor) = makeRecordingTracer()
        let failed = tracer.startSpan("failed", context: .topLevel)
        failed.setStatus(SpanStatus(code: .error, message: "timeout"))
        failed.end()
        let succeeded = tracer.startSpan("ok", context: .topLevel)
        succeeded.setStatus(SpanStatus(code: .ok))
        succeeded.setStatus(SpanStatus(code: .error, message: "late"))
        succeeded.end()

        let records = processor.records
        try #require(records.count == 2)
        #expect(records[0].statusCode == .error)
        #expect(records[0].statusMessage == "timeout")
        #expect(records[1].statusCode == .ok)
        #expect(records[1].statusMessage == nil)
    }

    @Test("links keep the target's ids and the link's attributes")
    func links() throws {
        let (tracer, processor) = makeRecordingTracer()
        let producer = tracer.startSpan("send", context: .topLevel, ofKind: .producer)
        let consumer = tracer.startSpan("process", context: .topLevel, ofKind: .consumer)
        consumer.addLink(Tracing.SpanLink(context: producer.context, attributes: ["reason": "delivery"]))
        consumer.addLink(Tracing.SpanLink(context: .topLevel, attributes: [:]))
        consumer.end()

        let record = try processor.single()
        #expect(
            record.links == [
                ChoreoModel.SpanLink(
                    traceID: producer.spanContext.traceID,
                    spanID: producer.spanContext.spanID,
                    attributes: ["reason": .string("delivery")]
                )
            ])
        #expect(record.traceID != producer.spanContext.traceID)
    }

    @Test("several links are exported in the order they were added; none after the end")
    func linkOrder() throws {
        let (tracer, processor) = makeRecordingTracer()
        let targets = (0..<3).map { tracer.startSpan("send \($0)", context: .topLevel, ofKind: .producer) }
        let consumer = tracer.startSpan("process", context: .topLevel, ofKind: .consumer)
        for target in targets { consumer.addLink(Tracing.SpanLink(context: target.context, attributes: [:])) }
        consumer.end()
        consumer.addLink(Tracing.SpanLink(context: targets[0].context, attributes: [:]))
        #expect(try processor.single().links.map(\.spanID) == targets.map(\.spanContext.spanID))
    }

    @Test("a service.name attribute becomes the record's service and leaves the attributes")
    func serviceNameLifting() throws {
        let (tracer, processor) = makeRecordingTracer(serviceName: "host-process")
        let payment = tracer.startSpan("charge", context: .topLevel)
        payment.attributes["service.name"] = "payment"
        payment.attributes["amount"] = 12
        payment.end()
        let plain = tracer.startSpan("other", context: .topLevel)
        plain.end()

        let records = processor.records
        try #require(records.count == 2)
        #expect(records[0].serviceName == "payment")
        #expect(records[0].attributes == ["amount": .int(12)])
        #expect(records[1].serviceName == "host-process")
    }

    @Test("an ended span ignores changes and is recorded once")
    func endedSpan() throws {
        let (tracer, processor) = makeRecordingTracer()
        let span = tracer.startSpan("op", context: .topLevel, at: instant(50))
        #expect(span.isRecording)
        span.end(at: instant(100))
        span.attributes["late"] = true
        span.operationName = "renamed"
        span.addEvent("late event")
        span.setStatus(SpanStatus(code: .error))
        span.end(at: instant(200))

        #expect(!span.isRecording)
        let record = try processor.single()
        #expect(record.name == "op")
        #expect(record.attributes.isEmpty && record.events.isEmpty)
        #expect(record.statusCode == .unset)
        #expect(record.endTimeUnixNano == 100)
    }

    @Test("the span handed over at its end is read later, as an exporter does, with its state at the end")
    func handedOverSpanReadLater() throws {
        let (tracer, processor) = makeRecordingTracer()
        let span = tracer.startSpan("op", context: .topLevel, ofKind: .producer, at: instant(50))
        span.attributes["messaging.message.conversation_id"] = "order-7"
        span.attributes["n"] = 3
        span.setStatus(SpanStatus(code: .error))
        span.end(at: instant(100))
        // Changes after the end must not reach the record built later from the queued span.
        span.attributes["messaging.message.conversation_id"] = "order-8"
        span.attributes["late"] = true
        span.setStatus(SpanStatus(code: .ok))
        span.end(at: instant(300))

        try #require(processor.handed.count == 1)
        let handed = processor.handed[0]
        #expect(handed.stringAttribute("messaging.message.conversation_id") == "order-7")
        #expect(handed.stringAttribute("n") == nil)
        #expect(handed.stringAttribute("absent") == nil)
        #expect(handed.statusCode == .error)
        let record = handed.record
        #expect(handed.traceID == record.traceID && handed.spanID == record.spanID)
        #expect(record.attributes == ["messaging.message.conversation_id": .string("order-7"), "n": .int(3)])
        #expect(record.startTimeUnixNano == 50 && record.endTimeUnixNano == 100)
        #expect(record.statusCode == .error)
        #expect(record.kind == .producer)
    }

    @Test("a span ended at an instant before its start ends at its start")
    func endBeforeStart() throws {
        let (tracer, processor) = makeRecordingTracer()
        let span = tracer.startSpan("op", context: .topLevel, at: instant(500))
        span.end(at: instant(100))
        let record = try processor.single()
        #expect(record.startTimeUnixNano == 500 && record.endTimeUnixNano == 500)
    }

    @Test("forceFlush on the tracer reaches the processor")
    func forceFlush() {
        let (tracer, processor) = makeRecordingTracer()
        tracer.forceFlush()
        #expect(processor.flushRequests == 1)
    }
}
