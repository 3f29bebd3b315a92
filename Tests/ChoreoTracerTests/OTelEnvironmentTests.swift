import ChoreoModel
import ChoreoTracer
import Testing
import Tracing

/// The OpenTelemetry SDK variables the tracer honours (OpenTelemetry specification,
/// "Environment Variable Specification": general SDK configuration, batch span processor).
@Suite("OTEL_* variables")
struct OTelEnvironmentTests {
    static let sampledParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    static let unsampledParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"

    static func configuration(_ environment: [String: String]) throws -> ChoreoTracerConfiguration {
        try ChoreoTracerConfiguration.fromEnvironment(serviceName: "svc", environment: environment)
    }

    /// Starts and ends one root span and one child of each remote parent; returns which were exported.
    static func exported(_ environment: [String: String]) throws -> (root: Bool, sampledChild: Bool, unsampledChild: Bool) {
        let processor = RecordingProcessor()
        let tracer = try configuration(environment).tracer(processor: processor, idGenerator: IDGenerator(seed: 7))
        tracer.startSpan("root", context: .topLevel).end()
        for header in [sampledParent, unsampledParent] {
            var context = ServiceContext.topLevel
            tracer.extract(["traceparent": header], into: &context, using: DictionaryExtractor())
            tracer.startSpan(header == sampledParent ? "sampled-child" : "unsampled-child", context: context).end()
        }
        let names = Set(processor.records.map(\.name))
        return (names.contains("root"), names.contains("sampled-child"), names.contains("unsampled-child"))
    }

    @Test(
        "OTEL_TRACES_SAMPLER: always_on and always_off ignore the parent, parentbased_* follow it",
        arguments: [
            ("always_on", true, true, true),
            ("always_off", false, false, false),
            ("parentbased_always_on", true, true, false),
            ("parentbased_always_off", false, true, false),
            ("traceidratio", true, true, true),
            ("parentbased_traceidratio", true, true, false),
            ("PARENTBASED_ALWAYS_OFF", false, true, false),
        ])
    func samplers(_ name: String, root: Bool, sampledChild: Bool, unsampledChild: Bool) throws {
        let seen = try Self.exported(["OTEL_TRACES_SAMPLER": name])
        #expect(seen.root == root)
        #expect(seen.sampledChild == sampledChild)
        #expect(seen.unsampledChild == unsampledChild)
    }

    @Test("unset, the sampler is parentbased_always_on (the specification's default)")
    func defaultSampler() throws {
        #expect(try Self.configuration([:]).sampler == .default)
        let seen = try Self.exported([:])
        #expect(seen.root && seen.sampledChild && !seen.unsampledChild)
    }

    @Test("traceidratio keeps about the ratio of traces, decided by the trace id alone")
    func ratio() throws {
        let processor = RecordingProcessor()
        let tracer = try Self.configuration(["OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25"])
            .tracer(processor: processor, idGenerator: IDGenerator(seed: 11))
        var decisions: [TraceID: Bool] = [:]
        for _ in 0..<4000 {
            let span = tracer.startSpan("root", context: .topLevel)
            decisions[span.spanContext.traceID] = span.spanContext.isSampled
            span.end()
        }
        let kept = decisions.values.filter { $0 }.count
        #expect(kept > 800 && kept < 1200, "kept \(kept) of 4000 at 0.25")
        #expect(processor.records.count == kept, "only sampled spans are exported")
        // Another service with the same ratio decides alike for the same trace.
        let other = TraceIDRatioSampler(ratio: 0.25)
        for (traceID, sampled) in decisions {
            #expect(other.shouldSample(SamplingInput(traceID: traceID, parent: nil, operationName: "x", kind: .internal)) == sampled)
        }
        #expect(try Self.exported(["OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0"]).root == false)
        #expect(try Self.exported(["OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1"]).root == true)
    }

    @Test(
        "an unknown sampler or a ratio outside 0...1 is a start-up error naming the variable",
        arguments: [
            (["OTEL_TRACES_SAMPLER": "jaeger_remote"], "OTEL_TRACES_SAMPLER"),
            (["OTEL_TRACES_SAMPLER": "parentbased_sometimes"], "OTEL_TRACES_SAMPLER"),
            (["OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1.5"], "OTEL_TRACES_SAMPLER_ARG"),
            (["OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "half"], "OTEL_TRACES_SAMPLER_ARG"),
            (["OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "-0.1"], "OTEL_TRACES_SAMPLER_ARG"),
            (["OTEL_SDK_DISABLED": "yes"], "OTEL_SDK_DISABLED"),
            (["OTEL_PROPAGATORS": "tracecontext,b3"], "OTEL_PROPAGATORS"),
            (["OTEL_PROPAGATORS": "none,baggage"], "OTEL_PROPAGATORS"),
            (["OTEL_BSP_EXPORT_TIMEOUT": "soon"], "OTEL_BSP_EXPORT_TIMEOUT"),
        ])
    func invalidValues(_ environment: [String: String], variable: String) {
        let error = #expect(throws: ChoreoTracerError.self) { try Self.configuration(environment) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains(variable) == true, "\(error?.message ?? "")")
    }

    @Test("OTEL_SDK_DISABLED=true: nothing is exported and nothing propagated; false changes nothing")
    func sdkDisabled() throws {
        #expect(try Self.configuration(["OTEL_SDK_DISABLED": "TRUE"]).sdkDisabled)
        let off = try Self.exported(["OTEL_SDK_DISABLED": "true", "OTEL_TRACES_SAMPLER": "always_on"])
        #expect(!off.root && !off.sampledChild && !off.unsampledChild)
        let processor = RecordingProcessor()
        let tracer = try Self.configuration(["OTEL_SDK_DISABLED": "true"]).tracer(processor: processor)
        var headers: [String: String] = [:]
        tracer.inject(tracer.startSpan("x", context: .topLevel).context, into: &headers, using: DictionaryInjector())
        #expect(headers.isEmpty)
        let on = try Self.exported(["OTEL_SDK_DISABLED": "false"])
        #expect(on.root && on.sampledChild)
    }

    @Test(
        "OTEL_PROPAGATORS selects what is extracted and injected",
        arguments: [
            (nil, true, true),
            ("tracecontext,baggage", true, true),
            ("tracecontext", true, false),
            ("baggage", false, true),
            ("none", false, false),
            (" tracecontext , tracecontext ", true, false),
        ] as [(String?, Bool, Bool)])
    func propagators(_ list: String?, traceContext: Bool, baggage: Bool) throws {
        let environment = list.map { ["OTEL_PROPAGATORS": $0] } ?? [:]
        let tracer = try Self.configuration(environment).tracer(processor: RecordingProcessor())
        var context = ServiceContext.topLevel
        tracer.extract(["traceparent": Self.sampledParent, "baggage": "tenant=acme,flow=a%20b"], into: &context, using: DictionaryExtractor())
        let child = tracer.startSpan("child", context: context)
        #expect((child.parentSpanID == SpanID(hex: "00f067aa0ba902b7")) == traceContext)
        var headers: [String: String] = [:]
        tracer.inject(child.context, into: &headers, using: DictionaryInjector())
        #expect((headers["traceparent"] != nil) == traceContext)
        #expect(headers["baggage"] == (baggage ? "tenant=acme,flow=a%20b" : nil))
    }

    @Test(
        "OTEL_BSP_EXPORT_TIMEOUT bounds an export: alone it sets the limit, with the OTLP timeout the smaller wins",
        arguments: [
            (["OTEL_BSP_EXPORT_TIMEOUT": "2000"], Duration.milliseconds(2000)),
            (["OTEL_BSP_EXPORT_TIMEOUT": "2000", "OTEL_EXPORTER_OTLP_TIMEOUT": "5000"], .milliseconds(2000)),
            (["OTEL_BSP_EXPORT_TIMEOUT": "2000", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "1000"], .milliseconds(1000)),
            ([:], .seconds(10)),
        ])
    func exportTimeout(_ environment: [String: String], expected: Duration) throws {
        #expect(try Self.configuration(environment).exportTimeout == expected)
    }
}
