import ChoreoTestSupport
import ChoreoModel
import ChoreoOTLP
import ChoreoTracer
import Testing
import Tracing

@Suite("OTLPHTTPExporter against a loopback HTTP server")
struct OTLPHTTPExporterTests {
    /// Runs `body` with a server and an exporter pointed at it; always shuts both down.
    private func withExporter(
        retry: RetryPolicy = RetryPolicy(maxRetries: 5, initialBackoff: .seconds(1), maxBackoff: .seconds(8)),
        compression: OTLPCompression = .none,
        headers: [String: String] = [:],
        endpoint: ((RecordingHTTPServer) -> String)? = nil,
        _ body: (RecordingHTTPServer, OTLPHTTPExporter<TestClock>, TestClock) async throws -> Void
    ) async throws {
        let server = try await RecordingHTTPServer.start()
        let clock = TestClock(.manual)
        let configuration = OTLPHTTPExporterConfiguration(
            tracesEndpoint: endpoint?(server) ?? "\(server.baseURL)/v1/traces",
            headers: headers,
            compression: compression,
            timeout: .seconds(30),
            retry: retry
        )
        let exporter = OTLPHTTPExporter(configuration: configuration, clock: clock)
        let result: Result<Void, any Error>
        do {
            try await body(server, exporter, clock)
            result = .success(())
        } catch {
            result = .failure(error)
        }
        await exporter.shutdown()
        try await server.stop()
        try result.get()
    }

    private let spans: [SpanRecord] = [
        SpanRecord(
            traceID: TraceID(high: 0xABCD, low: 1), spanID: SpanID(11), name: "send PaymentRequested", kind: .producer,
            startTimeUnixNano: 1_700_000_000_000_000_000, endTimeUnixNano: 1_700_000_000_500_000_000,
            attributes: ["messaging.system": .string("memory"), "choreo.delivery.attempt": .int(2)],
            serviceName: "order", scopeName: "ChoreoTracer"
        ),
        SpanRecord(
            traceID: TraceID(high: 0xABCD, low: 1), spanID: SpanID(12), parentSpanID: SpanID(11),
            name: "process PaymentRequested", kind: .consumer,
            startTimeUnixNano: 1_700_000_000_600_000_000, endTimeUnixNano: 1_700_000_000_900_000_000,
            links: [SpanLink(traceID: TraceID(high: 0xABCD, low: 1), spanID: SpanID(11))],
            statusCode: .error, statusMessage: "declined",
            serviceName: "payment", scopeName: "ChoreoTracer"
        ),
    ]

    private func decoded(_ request: RecordingHTTPServer.Request) throws -> [SpanRecord] {
        var bytes = request.body
        if request.header("Content-Encoding") == "gzip" {
            bytes = try Gzip.decompress(bytes, maxOutputBytes: 1 << 20)
        }
        return try OTLPProtobuf.decodeRequest(bytes).spans.sorted { $0.spanID < $1.spanID }
    }

    @Test("a batch is POSTed as protobuf to /v1/traces and decodes back to the same spans")
    func roundTrip() async throws {
        try await withExporter(headers: ["Authorization": "Bearer s3cret"]) { server, exporter, _ in
            try await exporter.export(spans)
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.uri == "/v1/traces")
            #expect(request.header("Content-Type") == "application/x-protobuf")
            #expect(request.header("Content-Encoding") == nil)
            #expect(request.header("Authorization") == "Bearer s3cret")
            #expect(try decoded(request) == spans)
            #expect(exporter.counters.deliveredBatches == 1)
        }
    }

    @Test("with gzip the body is compressed and still decodes to the same spans")
    func gzip() async throws {
        try await withExporter(compression: .gzip) { server, exporter, _ in
            try await exporter.export(spans)
            let request = try #require(server.requests.first)
            #expect(request.header("Content-Encoding") == "gzip")
            #expect(request.body.starts(with: [0x1F, 0x8B]))
            #expect(try decoded(request) == spans)
        }
    }

    @Test("503 is retried with growing, jittered backoff on the clock, then succeeds")
    func retriesOn503() async throws {
        try await withExporter { server, exporter, clock in
            server.script(.init(status: 503), .init(status: 503))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await exporter.export(spans) }

                await clock.waitForSleepers(1)
                let first = try #require(clock.pendingDeadlines.first).offset
                #expect(first >= .milliseconds(500) && first <= .seconds(1))
                clock.advance(to: TestClock.Instant(offset: first))

                await clock.waitForSleepers(1)
                let second = try #require(clock.pendingDeadlines.first).offset - first
                #expect(second >= .seconds(1) && second <= .seconds(2))
                clock.advance(by: second)

                try await group.waitForAll()
            }
            let requests = server.requests
            #expect(requests.count == 3)
            #expect(Set(requests.map(\.body)).count == 1)
            #expect(try decoded(requests[2]) == spans)
            #expect(exporter.counters.retries == 2)
            #expect(exporter.counters.deliveredBatches == 1)
        }
    }

    @Test("400 is final: no retry, a rejected error with the status")
    func badRequestNotRetried() async throws {
        try await withExporter { server, exporter, clock in
            server.script(.init(status: 400, body: "malformed"))
            let error = await #expect(throws: ChoreoTracerError.self) { try await exporter.export(spans) }
            #expect(error?.code == .exportRejected)
            #expect(error?.httpStatus == 400)
            #expect(server.requests.count == 1)
            #expect(clock.sleepCalls == 0)
            #expect(exporter.counters.rejectedBatches == 1)
        }
    }

    @Test("Retry-After in seconds sets the wait before the retry", arguments: [429, 503])
    func retryAfter(status: Int) async throws {
        try await withExporter { server, exporter, clock in
            server.script(.init(status: status, headers: [("Retry-After", "7")]))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await exporter.export(spans) }
                await clock.waitForSleepers(1)
                #expect(clock.pendingDeadlines == [TestClock.Instant(offset: .seconds(7))])
                clock.advance(by: .seconds(7))
                try await group.waitForAll()
            }
            #expect(server.requests.count == 2)
        }
    }

    @Test("retries stop after the configured number and the batch fails")
    func retriesExhausted() async throws {
        let policy = RetryPolicy(maxRetries: 2, initialBackoff: .seconds(1), maxBackoff: .seconds(1))
        try await withExporter(retry: policy) { server, exporter, clock in
            server.script(.init(status: 502), .init(status: 504), .init(status: 503))
            let failure = Task {
                await #expect(throws: ChoreoTracerError.self) { try await exporter.export(spans) }
            }
            for _ in 0..<2 {
                await clock.waitForSleepers(1)
                clock.advance(by: .seconds(1))
            }
            let error = await failure.value
            #expect(error?.code == .exportRetriesExhausted)
            #expect(error?.httpStatus == 503)
            #expect(server.requests.count == 3)
            #expect(exporter.counters.exhaustedBatches == 1)
        }
    }

    @Test("a refused connection is retried")
    func connectionErrorRetried() async throws {
        let closed = try await RecordingHTTPServer.start()
        let port = closed.port
        try await closed.stop()
        let policy = RetryPolicy(maxRetries: 1, initialBackoff: .seconds(1), maxBackoff: .seconds(1))
        try await withExporter(retry: policy, endpoint: { _ in "http://127.0.0.1:\(port)/v1/traces" }) { _, exporter, clock in
            let failure = Task {
                await #expect(throws: ChoreoTracerError.self) { try await exporter.export(spans) }
            }
            await clock.waitForSleepers(1)
            clock.advance(by: .seconds(1))
            let error = await failure.value
            #expect(error?.code == .exportRetriesExhausted)
            #expect(exporter.counters.requests == 2)
            #expect(exporter.counters.retries == 1)
        }
    }

    @Test("an export after shutdown fails at once without a request")
    func exportAfterShutdown() async throws {
        try await withExporter { server, exporter, clock in
            await exporter.shutdown()
            let error = await #expect(throws: ChoreoTracerError.self) { try await exporter.export(spans) }
            #expect(error?.code == .shutDown)
            #expect(server.requests.isEmpty)
            #expect(clock.sleepCalls == 0)
        }
    }

    @Test("exporting inside a traced context creates no spans and sends no traceparent")
    func neverTracesItself() async throws {
        let (tracer, processor) = makeRecordingTracer()
        let server = try await RecordingHTTPServer.start()
        try await withTracer(tracer) {
            try await tracer.withSpan("caller") { _ in
                // Created inside the scope, so a client defaulting to the current tracer would find it.
                let exporter = OTLPHTTPExporter(
                    configuration: OTLPHTTPExporterConfiguration(tracesEndpoint: "\(server.baseURL)/v1/traces"),
                    clock: TestClock(.manual)
                )
                let result = await Result(catching: { try await exporter.export(spans) })
                await exporter.shutdown()
                try result.get()
            }
        }
        try await server.stop()
        #expect(processor.records.map(\.name) == ["caller"])
        let request = try #require(server.requests.first)
        #expect(request.header("traceparent") == nil)
    }
}

extension Result where Failure == any Error {
    /// Captures the outcome of an async throwing operation.
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
