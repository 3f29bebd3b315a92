import ChoreoModel
import ChoreoTracer
import Testing
import Tracing

/// `span.attributes[key] = value` on a ChoreoSpan takes the span's dictionary out for the write and
/// puts it back (no copy per write): what is written, what happens meanwhile and after the end.
@Suite("Writing a ChoreoSpan's attributes in place")
struct AttributeWriteInPlaceTests {
    @Test("every key written in place is kept, past the room the first write makes")
    func manyKeys() throws {
        let (tracer, processor) = makeRecordingTracer()
        let span = tracer.startSpan("x", context: .topLevel)
        for index in 0..<20 { span.attributes["k\(index)"] = index }
        span.attributes["k3"] = "again"
        #expect(span.attributes.get("k19") == .int64(19))
        span.end()
        var expected: [String: AttributeValue] = [:]
        for index in 0..<20 { expected["k\(index)"] = .int(Int64(index)) }
        expected["k3"] = .string("again")
        #expect(try processor.single().attributes == expected)
    }

    @Test("a span ended during a write is handed over once, after the write, with it")
    func endedDuringWrite() throws {
        let (tracer, processor) = makeRecordingTracer()
        let span = tracer.startSpan("x", context: .topLevel)
        span.attributes["before"] = "kept"
        span.attributes.whileWriting {
            $0["during"] = "kept too"
            span.end()
            #expect(processor.records.isEmpty, "handed over while its attributes were out")
        }
        span.end()
        #expect(try processor.single().attributes == ["before": .string("kept"), "during": .string("kept too")])
    }

    @Test("a write after the end changes nothing")
    func afterEnd() throws {
        let (tracer, processor) = makeRecordingTracer()
        let span = tracer.startSpan("x", context: .topLevel)
        span.attributes["a"] = 1
        span.end()
        span.attributes["a"] = 2
        span.attributes["b"] = 3
        #expect(span.attributes.get("a") == .int64(1))
        #expect(processor.handed.first?.record.attributes == ["a": .int(1)])
    }

    @Test("a list recorded during a write applies after it")
    func listMeanwhile() throws {
        let (tracer, processor) = makeRecordingTracer()
        let span = tracer.startSpan("x", context: .topLevel)
        span.attributes["a"] = "dictionary"
        span.attributes.whileWriting {
            $0["b"] = "dictionary"
            var list = AttributeList()
            list.append("a", .string("list"))
            span.record(list)
        }
        span.end()
        #expect(try processor.single().attributes == ["a": .string("list"), "b": .string("dictionary")])
    }

    @Test("a write nested in a write sees none and is replaced by the outer one, the later whole write")
    func nested() throws {
        let (tracer, processor) = makeRecordingTracer()
        let span = tracer.startSpan("x", context: .topLevel)
        span.attributes["a"] = 1
        span.attributes.whileWriting {
            $0["b"] = 2
            #expect(span.attributes.get("a") == nil, "the attributes are out during the write")
            span.attributes["nested"] = 3
        }
        span.end()
        #expect(try processor.single().attributes == ["a": .int(1), "b": .int(2)])
    }
}

extension SpanAttributes {
    /// Runs `body` inside one write in place of these attributes (`body` gets them to change).
    fileprivate mutating func whileWriting(_ body: (inout SpanAttributes) -> Void) {
        body(&self)
    }
}
