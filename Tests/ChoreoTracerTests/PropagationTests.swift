import ChoreoModel
import ChoreoTracer
import Testing
import Tracing

@Suite("W3C trace context propagation")
struct PropagationTests {
    @Test("inject then extract continues the trace in a child of the injected span")
    func roundTrip() throws {
        let (tracer, processor) = makeRecordingTracer()
        var incoming = ServiceContext.topLevel
        tracer.extract(
            ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "congo=t61rcWkgMzE"],
            into: &incoming, using: DictionaryExtractor()
        )
        let publish = tracer.startSpan("send", context: incoming, ofKind: .producer)
        var headers: [String: String] = [:]
        tracer.inject(publish.context, into: &headers, using: DictionaryInjector())

        let expectedParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-\(publish.spanContext.spanID.hex)-01"
        #expect(headers == ["traceparent": expectedParent, "tracestate": "congo=t61rcWkgMzE"])

        var received = ServiceContext.topLevel
        tracer.extract(headers, into: &received, using: DictionaryExtractor())
        let remote = try #require(received.choreoSpanContext)
        #expect(remote.isRemote)
        let consume = tracer.startSpan("process", context: received, ofKind: .consumer)
        consume.end()
        publish.end()

        let records = processor.records
        try #require(records.count == 2)
        #expect(records[0].traceID == TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736"))
        #expect(records[0].parentSpanID == publish.spanContext.spanID)
        #expect(records[0].traceState == "congo=t61rcWkgMzE")
        #expect(records[1].parentSpanID == SpanID(hex: "00f067aa0ba902b7"))
    }

    @Test(
        "an invalid traceparent starts a new trace and drops tracestate",
        arguments: [
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",  // upper case
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero span id
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // forbidden version
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // extra field in v00
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",  // too short
            "",
            "garbage",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
        ])
    func invalidTraceParent(header: String) throws {
        let (tracer, processor) = makeRecordingTracer()
        var context = ServiceContext.topLevel
        tracer.extract(["traceparent": header, "tracestate": "congo=t61rcWkgMzE"], into: &context, using: DictionaryExtractor())
        #expect(context.choreoSpanContext == nil)

        let span = tracer.startSpan("process", context: context, ofKind: .consumer)
        var headers: [String: String] = [:]
        tracer.inject(span.context, into: &headers, using: DictionaryInjector())
        span.end()

        let record = try processor.single()
        #expect(record.parentSpanID == nil)
        #expect(record.traceState == nil)
        #expect(record.traceID != TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736"))
        #expect(headers["tracestate"] == nil)
        #expect(headers["traceparent"] == "00-\(record.traceID.hex)-\(record.spanID.hex)-01")
    }

    @Test("an invalid traceparent removes a span context already in the context")
    func invalidReplacesExisting() {
        let (tracer, _) = makeRecordingTracer()
        let ambient = tracer.startSpan("ambient", context: .topLevel)
        var context = ambient.context
        tracer.extract(["traceparent": "nonsense"], into: &context, using: DictionaryExtractor())
        #expect(context.choreoSpanContext == nil)
    }

    @Test("without a traceparent the context is left unchanged")
    func missingTraceParent() {
        let (tracer, _) = makeRecordingTracer()
        let ambient = tracer.startSpan("ambient", context: .topLevel)
        var context = ambient.context
        tracer.extract(["tracestate": "congo=t61rcWkgMzE"], into: &context, using: DictionaryExtractor())
        #expect(context.choreoSpanContext == ambient.spanContext)
    }

    @Test(
        "a tracestate without a valid member is dropped; the parent is kept",
        arguments: [
            "UPPER=1", "novalue", "=x", " , ",
        ])
    func invalidTraceState(header: String) throws {
        let (tracer, _) = makeRecordingTracer()
        var context = ServiceContext.topLevel
        tracer.extract(
            ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": header],
            into: &context, using: DictionaryExtractor()
        )
        let remote = try #require(context.choreoSpanContext)
        #expect(remote.spanID == SpanID(hex: "00f067aa0ba902b7"))
        #expect(remote.traceState == nil)
    }

    @Test("of a tracestate only the invalid and repeated members are dropped (Trace Context Level 2 keys)")
    func partlyInvalidTraceState() throws {
        let (tracer, _) = makeRecordingTracer()
        var context = ServiceContext.topLevel
        tracer.extract(
            [
                "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "tracestate": "a=1,UPPER=1,a=2,1tenant@sys=x,k=v,=x",
            ],
            into: &context, using: DictionaryExtractor()
        )
        let remote = try #require(context.choreoSpanContext)
        #expect(remote.traceState == "a=1,1tenant@sys=x,k=v")
    }

    @Test("an unsampled parent's flags are propagated to its children")
    func unsampledFlagPropagates() {
        let (tracer, _) = makeRecordingTracer()
        var context = ServiceContext.topLevel
        tracer.extract(
            ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"],
            into: &context, using: DictionaryExtractor()
        )
        let child = tracer.startSpan("child", context: context)
        var headers: [String: String] = [:]
        tracer.inject(child.context, into: &headers, using: DictionaryInjector())
        #expect(headers["traceparent"]?.hasSuffix("-00") == true)
        #expect(child.spanContext.isSampled == false)

        let root = tracer.startSpan("root", context: .topLevel)
        #expect(root.spanContext.isSampled)
    }

    @Test("inject writes nothing for a context without a span")
    func injectWithoutSpan() {
        let (tracer, _) = makeRecordingTracer()
        var headers: [String: String] = [:]
        tracer.inject(.topLevel, into: &headers, using: DictionaryInjector())
        #expect(headers.isEmpty)
    }

    @Test("the injected traceparent is TraceParent's header value for any ids and flags")
    func headerValueMatchesModel() {
        var random = SplitMix64(seed: 3)
        for flags in [0x00, 0x01, 0x0a, 0xff] as [UInt8] {
            for _ in 0..<200 {
                let context = ChoreoSpanContext(
                    traceID: TraceID(high: random.next() >> (random.next() % 64), low: random.next()),
                    spanID: SpanID(random.next() >> (random.next() % 64) | 1), traceFlags: flags
                )
                #expect(context.traceParentHeaderValue == context.traceParent.headerValue)
                #expect(TraceParent(context.traceParentHeaderValue) == context.traceParent)
            }
        }
    }

    @Test("a span context survives the context in every form, and setting one form replaces the other")
    func contextForms() {
        let local = ChoreoSpanContext(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3))
        let remote = ChoreoSpanContext(traceID: TraceID(high: 4, low: 5), spanID: SpanID(6), isRemote: true)
        let unsampled = ChoreoSpanContext(traceID: TraceID(high: 7, low: 8), spanID: SpanID(9), traceFlags: 0)
        let withState = ChoreoSpanContext(traceID: TraceID(high: 1, low: 1), spanID: SpanID(1), traceState: "k=v")
        var context = ServiceContext.topLevel
        let remoteWithState = ChoreoSpanContext(traceID: TraceID(high: 2, low: 2), spanID: SpanID(2), traceState: "a=b", isRemote: true)
        let forms = [local, remote, local, unsampled, withState, remote, remoteWithState, local, nil, remote, nil, remoteWithState]
        for value in forms as [ChoreoSpanContext?] {
            context.choreoSpanContext = value
            #expect(context.choreoSpanContext == value)
            #expect(context.count == (value == nil ? 0 : 1), "one key for one span context")
        }
        let (tracer, _) = makeRecordingTracer()
        var parent = ServiceContext.topLevel
        parent.choreoSpanContext = remote
        let child = tracer.startSpan("child", context: parent)
        #expect(child.context.choreoSpanContext?.traceID == remote.traceID)
        #expect(child.context.choreoSpanContext?.isRemote == false)
        #expect(child.context.count == 1)
        let grandchild = tracer.startSpan("grandchild", context: child.context)
        #expect(grandchild.parentSpanID == child.spanContext.spanID)
        #expect(grandchild.context.choreoSpanContext == grandchild.spanContext)
    }
}
