import ChoreoModel
import ChoreoTracer
import Testing
import Tracing

/// Attributes recorded as a list (`record(_:)`, TracedBus's path) and through the tracing API's
/// `attributes` behave as one dictionary: a later value of a key wins, whichever way it came.
@Suite("A ChoreoSpan's attribute list")
struct AttributeListTests {
    @Test("a recorded list is exported as attributes; a key given twice keeps its last value")
    func listExported() throws {
        let (tracer, processor) = makeRecordingTracer()
        let span = tracer.startSpan("send orders", context: .topLevel, ofKind: .producer)
        var list = AttributeList(minimumCapacity: 4)
        list.append("a", .string("first"))
        list.append("n", .int(7))
        list.append("a", .string("second"))
        span.record(list)
        #expect(span.stringAttribute("a") == "second")
        span.end()
        let record = try processor.single()
        #expect(record.attributes == ["a": .string("second"), "n": .int(7)])
    }

    @Test("the list applies after the dictionary; a write through `attributes` after the list wins")
    func bothWays() throws {
        let (tracer, processor) = makeRecordingTracer()
        let span = tracer.startSpan("process orders", context: .topLevel, ofKind: .consumer)
        span.attributes["a"] = "from the API"
        span.attributes["b"] = "kept"
        var list = AttributeList()
        list.append("a", .string("from the list"))
        list.append("c", .bool(true))
        span.record(list)
        #expect(span.attributes.get("a") == .string("from the list"), "the getter shows the list applied")
        #expect(span.attributes.get("c") == .bool(true))
        span.attributes["c"] = false
        span.end()
        let record = try processor.single()
        #expect(record.attributes == ["a": .string("from the list"), "b": .string("kept"), "c": .bool(false)])
    }

    @Test("setting `attributes` whole replaces what the list recorded")
    func setReplaces() throws {
        let (tracer, processor) = makeRecordingTracer()
        let span = tracer.startSpan("x", context: .topLevel)
        var list = AttributeList()
        list.append("gone", .string("x"))
        span.record(list)
        span.attributes = ["only": "this"]
        #expect(span.stringAttribute("gone") == nil)
        span.end()
        #expect(try processor.single().attributes == ["only": .string("this")])
    }

    @Test("a string service.name from the list names the service; a later non-string one is an attribute")
    func serviceName() throws {
        let (tracer, processor) = makeRecordingTracer(serviceName: "checkout")
        let named = tracer.startSpan("named", context: .topLevel)
        var list = AttributeList()
        list.append(MessagingKey.serviceName, .int(1))
        list.append(MessagingKey.serviceName, .string("payment"))
        named.record(list)
        named.end()
        let other = tracer.startSpan("other", context: .topLevel)
        other.attributes[MessagingKey.serviceName] = "payment"
        var override = AttributeList()
        override.append(MessagingKey.serviceName, .int(2))
        other.record(override)
        other.end()
        let records = processor.records
        try #require(records.count == 2)
        #expect(records[0].serviceName == "payment" && records[0].attributes.isEmpty)
        #expect(records[1].serviceName == "checkout" && records[1].attributes == [MessagingKey.serviceName: .int(2)])
    }

    @Test("a list recorded after the span ended is ignored")
    func afterEnd() throws {
        let (tracer, processor) = makeRecordingTracer()
        let span = tracer.startSpan("x", context: .topLevel)
        span.end()
        var list = AttributeList()
        list.append("late", .string("x"))
        span.record(list)
        #expect(try processor.single().attributes.isEmpty)
        #expect(span.stringAttribute("late") == nil)
    }
}
