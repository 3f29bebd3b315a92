import ChoreoModel
import Testing
import Tracing

@testable import ChoreoTracer

@Suite("Head sampling by flow")
struct FlowSamplingTests {
    @Test(
        "the documented hash: FNV-1a 64 then fmix64, the same values as any other implementation",
        arguments: [
            ("order-1", 0x491b_422e_3af0_d9a5 as UInt64), ("order-2", 0xaaca_0c2a_eae3_9bab), ("", 0xefd0_1f60_ba99_2926),
            ("é", 0x9d55_ccb9_ba86_763b),
        ])
    func documentedHash(id: String, expected: UInt64) {
        #expect(FlowSampling.hash(id) == expected)
    }

    @Test("a ratio keeps that share of flows, 0 none and 1 all; order-1 (≈ 0.2856) is kept at 0.3, not at 0.25")
    func ratios() {
        let ids = (0..<100_000).map { "order-\($0)" }
        let kept = ids.filter { FlowSampling(ratio: 0.1).keeps(correlationID: $0) }.count
        #expect(kept == 10_033, "the count the documented hash gives")
        #expect(ids.allSatisfy { FlowSampling(ratio: 1).keeps(correlationID: $0) })
        #expect(!ids.contains { FlowSampling(ratio: 0).keeps(correlationID: $0) })
        #expect(FlowSampling(ratio: 0.3).keeps(correlationID: "order-1"))
        #expect(!FlowSampling(ratio: 0.25).keeps(correlationID: "order-1"))
        // A flow kept at a ratio is kept at every larger one.
        #expect(ids.prefix(5000).allSatisfy { !FlowSampling(ratio: 0.2).keeps(correlationID: $0) || FlowSampling(ratio: 0.5).keeps(correlationID: $0) })
    }

    @Test("the processor passes on kept flows, spans of no flow, error spans and dead letters; drops the rest of a dropped flow")
    func processor() {
        let sink = InMemorySpanExporterSink()
        let processor = FlowSamplingProcessor(wrapping: sink, sampling: FlowSampling(ratio: 0.3))
        func span(_ id: UInt64, flow: String?, error: Bool = false, outcome: String? = nil) -> SpanRecord {
            var attributes: [String: AttributeValue] = [:]
            if let flow { attributes[MessagingKey.conversationID] = .string(flow) }
            if let outcome { attributes[ChoreoKey.deliveryOutcome] = .string(outcome) }
            return SpanRecord(
                traceID: TraceID(high: 1, low: id), spanID: SpanID(id), name: "s\(id)", kind: .consumer, startTimeUnixNano: 1, endTimeUnixNano: 2,
                attributes: attributes, statusCode: error ? .error : .unset, serviceName: "svc")
        }
        processor.onEnd(span(1, flow: "order-1"))  // kept flow
        processor.onEnd(span(2, flow: "order-2"))  // dropped flow
        processor.onEnd(span(3, flow: "order-2", error: true))  // dropped flow, error
        processor.onEnd(span(4, flow: "order-2", outcome: "dead_lettered"))  // dropped flow, dead letter
        processor.onEnd(span(5, flow: nil))  // no flow
        processor.onEnd(span(6, flow: "order-2", outcome: "retry"))  // dropped flow, retried (no error status)
        #expect(sink.spans.map(\.spanID) == [SpanID(1), SpanID(3), SpanID(4), SpanID(5)])
        #expect(processor.counters == FlowSamplingProcessor.Counts(kept: 2, keptForError: 2, sampledOut: 2))
    }
}

extension FlowSamplingTests {
    @Test("OTEL_TRACES_SAMPLER=choreo_flow with OTEL_TRACES_SAMPLER_ARG=0.3: the tracer records every span and exports only kept flows and errors")
    func fromEnvironment() throws {
        let configuration = try ChoreoTracerConfiguration.fromEnvironment(
            serviceName: "svc", environment: ["OTEL_TRACES_SAMPLER": "choreo_flow", "OTEL_TRACES_SAMPLER_ARG": "0.3"])
        #expect(configuration.sampler.flowSampling == FlowSampling(ratio: 0.3))
        #expect(configuration.sampler.description == "choreo_flow(0.3)")
        #expect(try ChoreoTracerConfiguration.fromEnvironment(serviceName: "svc", environment: [:]).sampler.flowSampling == nil)
        #expect(throws: ChoreoTracerError.self) {
            try ChoreoTracerConfiguration.fromEnvironment(
                serviceName: "svc", environment: ["OTEL_TRACES_SAMPLER": "choreo_flow", "OTEL_TRACES_SAMPLER_ARG": "1.5"])
        }
        let sink = InMemorySpanExporterSink()
        let tracer = configuration.tracer(processor: sink, idGenerator: IDGenerator(seed: 3))
        for (name, flow, failed) in [("kept", "order-1", false), ("dropped", "order-2", false), ("failed", "order-2", true)] {
            let span = tracer.startSpan(name, context: .topLevel)
            #expect(span.isRecording, "every span is recorded: the decision comes at its end")
            span.attributes[MessagingKey.conversationID] = flow
            if failed { span.setStatus(SpanStatus(code: .error)) }
            span.end()
        }
        #expect(sink.spans.map(\.name) == ["kept", "failed"])
    }
}

/// Collects what a processor passes on.
final class InMemorySpanExporterSink: SpanProcessor, @unchecked Sendable {
    private(set) var spans: [SpanRecord] = []
    func onEnd(_ span: any ReadableSpan) { spans.append(span.record) }
    func forceFlush() async {}
    func requestFlush() {}
}
