import ChoreoInstrumentation
import ChoreoModel
import ChoreoTracer
import Testing
import Tracing

/// `startDeliverySpan` (the path `TracedBus` takes with ChoreoTracer) gives the span that the
/// general path gives: `extract` into `.topLevel`, `startSpan` from it (or from `.topLevel`), and a
/// link to the extracted context.
@Suite("ChoreoTracer: a delivery's span from its header values")
struct DeliverySpanTests {
    static let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let cases: [(traceparent: String?, tracestate: String?)] = [
        ("00-\(trace)-00f067aa0ba902b7-01", nil),
        ("00-\(trace)-00f067aa0ba902b7-01", "vendor=1,other=two"),
        ("00-\(trace)-00f067aa0ba902b7-01", "not a tracestate ==="),
        ("00-\(trace)-00f067aa0ba902b7-01", ""),
        ("00-\(trace)-00f067aa0ba902b7-00", "vendor=1"),
        ("00-\(trace)-00f067aa0ba902b7-00", nil),
        ("01-\(trace)-00f067aa0ba902b7-03-future", nil),
        ("garbage", "vendor=1"),
        ("", nil),
        (nil, "vendor=1"),
        (nil, nil),
        ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", nil),
    ]

    @Test("equal to extract, startSpan and addLink, in both trace modes", arguments: [true, false])
    func sameSpan(childOfProducer: Bool) throws {
        for (traceparent, tracestate) in Self.cases {
            let (fast, fastRecords) = makeRecordingTracer(seed: 7)
            let (general, generalRecords) = makeRecordingTracer(seed: 7)

            let span = try #require(
                fast.startDeliverySpan("process orders", traceparent: traceparent, tracestate: tracestate, childOfProducer: childOfProducer))
            span.end(at: instant(2_000))

            var headers: [String: String] = [:]
            headers["traceparent"] = traceparent
            headers["tracestate"] = tracestate
            var extracted = ServiceContext.topLevel
            general.extract(headers, into: &extracted, using: DictionaryExtractor())
            let expected = general.startSpan("process orders", context: childOfProducer ? extracted : .topLevel, ofKind: .consumer)
            if !extracted.isEmpty { expected.addLink(SpanLink(context: extracted, attributes: [:])) }
            expected.end(at: instant(2_000))

            // An unsampled parent gives an unsampled span: neither is handed over.
            func timeless(_ records: [SpanRecord]) -> [SpanRecord] {
                records.map { record in
                    var record = record
                    record.startTimeUnixNano = 0
                    record.endTimeUnixNano = 0
                    return record
                }
            }
            #expect(timeless(fastRecords.records) == timeless(generalRecords.records), "traceparent \(traceparent ?? "nil"), tracestate \(tracestate ?? "nil")")
            #expect(span.context.choreoSpanContext == expected.context.choreoSpanContext)
            #expect(span.context.count == expected.context.count)
        }
    }

    @Test("startPublishSpan equals startSpan with the producer kind, from a root, a local parent and an extracted one")
    func publishSpan() throws {
        let parents: [(String, (ChoreoTracer) -> ServiceContext)] = [
            ("root", { _ in .topLevel }),
            ("local parent", { tracer in tracer.startSpan("handle", context: .topLevel, ofKind: .internal).context }),
            (
                "extracted parent with baggage",
                { tracer in
                    var context = ServiceContext.topLevel
                    let headers = ["traceparent": "00-\(Self.trace)-00f067aa0ba902b7-01", "baggage": "k=v"]
                    tracer.extract(headers, into: &context, using: DictionaryExtractor())
                    return context
                }
            ),
        ]
        for (label, parent) in parents {
            let (fast, fastRecords) = makeRecordingTracer(seed: 9)
            let (general, generalRecords) = makeRecordingTracer(seed: 9)
            let fastParent = parent(fast)
            let generalParent = parent(general)
            let span = fast.startPublishSpan("send orders", context: fastParent)
            let expected = general.startSpan("send orders", context: generalParent, ofKind: .producer)
            span.end(at: instant(3_000))
            expected.end(at: instant(3_000))
            func timeless(_ records: [SpanRecord]) -> [SpanRecord] {
                records.filter { $0.kind == .producer }.map { record in
                    var record = record
                    record.startTimeUnixNano = 0
                    record.endTimeUnixNano = 0
                    return record
                }
            }
            #expect(timeless(fastRecords.records).count == 1, "\(label)")
            #expect(timeless(fastRecords.records) == timeless(generalRecords.records), "\(label)")
            #expect(span.context.choreoSpanContext == expected.context.choreoSpanContext, "\(label)")
            #expect(span.context.count == expected.context.count, "\(label)")
        }
    }

    @Test(
        "injectContext writes what inject writes from the span's context, for each propagator set and parent",
        arguments: [Propagators.default, [.traceContext], [.baggage], []])
    func injectContext(propagators: Propagators) throws {
        let tracer = ChoreoTracer(serviceName: "s", processor: RecordingProcessor(), propagators: propagators)
        let trace = "00-\(Self.trace)-00f067aa0ba902b7-01"
        let parents: [[String: String]] = [
            [:], ["traceparent": trace], ["traceparent": trace, "tracestate": "v=1"],
            ["traceparent": trace, "baggage": "k=v"], ["baggage": "only=baggage"],
            ["traceparent": "00-\(Self.trace)-00f067aa0ba902b7-00", "tracestate": "a=b,c=d", "baggage": "x=1"],
        ]
        for parentHeaders in parents {
            var parent = ServiceContext.topLevel
            tracer.extract(parentHeaders, into: &parent, using: DictionaryExtractor())
            let span = tracer.startPublishSpan("send orders", context: parent)
            var direct = ["type": "OrderPlaced"]
            tracer.injectContext(of: span, into: &direct)
            var general = ["type": "OrderPlaced"]
            tracer.inject(span.context, into: &general, using: HeaderInjector())
            #expect(direct == general, "parent \(parentHeaders)")
            span.end()
        }
    }

    @Test("a tracer whose propagators do not read Trace Context declines")
    func declines() {
        let tracer = ChoreoTracer(serviceName: "s", processor: RecordingProcessor(), propagators: [.baggage])
        #expect(tracer.startDeliverySpan("process x", traceparent: nil, tracestate: nil, childOfProducer: true) == nil)
    }
}
