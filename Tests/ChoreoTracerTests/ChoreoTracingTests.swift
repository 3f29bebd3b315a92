import ChoreoModel
import ChoreoOTLP
import ChoreoTracer
import Testing
import Tracing

@Suite("ChoreoTracing.withTracing")
struct ChoreoTracingTests {
    private func configuration(_ server: RecordingHTTPServer) -> ChoreoTracerConfiguration {
        ChoreoTracerConfiguration(serviceName: "order-service", endpoint: "\(server.baseURL)/v1/traces", scheduleDelay: .seconds(3600))
    }

    @Test("body's spans are exported before withTracing returns body's result")
    func exportsBeforeReturning() async throws {
        let server = try await RecordingHTTPServer.start()
        let result = try await ChoreoTracing.withTracing(
            configuration: configuration(server), bootstrapInstrumentationSystem: false
        ) {
            InstrumentationSystem.tracer.withSpan("place order", ofKind: .server) { span in
                span.attributes["order.id"] = "o-1"
            }
            return 42
        }
        try await server.stop()
        #expect(result == 42)
        let spans = try server.requests.flatMap { try OTLPProtobuf.decodeRequest($0.body).spans }
        #expect(spans.map(\.name) == ["place order"])
        #expect(spans.first?.serviceName == "order-service")
        #expect(spans.first?.kind == .server)
        #expect(spans.first?.attributes["order.id"] == .string("o-1"))
    }

    @Test("an error thrown by body is rethrown after its spans are exported")
    func rethrowsAfterFlush() async throws {
        struct Failed: Error {}
        let server = try await RecordingHTTPServer.start()
        await #expect(throws: Failed.self) {
            try await ChoreoTracing.withTracing(configuration: configuration(server), bootstrapInstrumentationSystem: false) {
                try InstrumentationSystem.tracer.withSpan("doomed") { _ in throw Failed() }
            }
        }
        try await server.stop()
        let spans = try server.requests.flatMap { try OTLPProtobuf.decodeRequest($0.body).spans }
        #expect(spans.map(\.name) == ["doomed"])
        #expect(spans.first?.statusCode == .error)
    }

    @Test("an invalid configuration fails before anything runs")
    func invalidConfiguration() async {
        let config = ChoreoTracerConfiguration(serviceName: "s", endpoint: "nowhere")
        var ran = false
        await #expect(throws: ChoreoTracerError.self) {
            try await ChoreoTracing.withTracing(configuration: config, bootstrapInstrumentationSystem: false) { ran = true }
        }
        #expect(!ran)
        #expect(throws: ChoreoTracerError.self) { try ChoreoTracing.make(configuration: config) }
    }
}
