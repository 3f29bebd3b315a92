import ChoreoCollector
import ChoreoModel
import ChoreoOTLP
import ChoreoOTLPGRPC
import ChoreoServer
import ChoreoStore
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf
import Logging
import Testing

/// OTLP/gRPC `TraceService/Export` on the collector, through a real grpc-swift client over
/// loopback: the same ingest path, limits, token and acknowledgement as `POST /v1/traces`, with
/// the status codes of the OTLP specification.
@Suite("Collector OTLP/gRPC ingest", .timeLimit(.minutes(2)))
struct GRPCIngestTests {
    typealias Request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest

    @Test("gzip-compressed Export: OK once committed; the spans are stored")
    func acceptsGzip() async throws {
        let harness = IngestHarness()
        let spans = Fixtures.spans(3, trace: TraceID(high: 7, low: 7), prefix: "g")
        try await GRPCCollector.serve(harness) { client in
            let response = try await client.export(try Self.request(spans), gzip: true)
            #expect(!response.hasPartialSuccess)
        }
        #expect(try await harness.store.spanCount() == 3)
        #expect(try await harness.store.spans(correlationID: "g-1").count == 1)
    }

    @Test("an invalid span is left out and reported as partial success; the others are stored")
    func partialSuccess() async throws {
        let harness = IngestHarness()
        var spans = Fixtures.spans(3, trace: TraceID(high: 8, low: 8), prefix: "p")
        spans[0].traceID = TraceID(high: 0, low: 0)
        try await GRPCCollector.serve(harness) { client in
            let response = try await client.export(try Self.request(spans))
            #expect(response.partialSuccess.rejectedSpans == 1)
            #expect(!response.partialSuccess.errorMessage.isEmpty)
        }
        #expect(try await harness.store.spanCount() == 2)
        #expect(harness.app.rejections.value(.invalidSpan) == 1)
    }

    @Test("bytes that are no ExportTraceServiceRequest: INVALID_ARGUMENT (final), counted as malformed")
    func malformed() async throws {
        let harness = IngestHarness()
        try await GRPCCollector.serve(harness) { client in
            let error = try await client.refusal(raw: [0x0A, 0xFF, 0xFF, 0x01])
            #expect(error.code == .invalidArgument)
            #expect(try error.unpackGoogleRPCStatus()?.details.isEmpty ?? true, "no RetryInfo on a final refusal")
        }
        #expect(harness.app.rejections.value(.malformed) == 1)
    }

    @Test("more spans than --max-spans-per-request: INVALID_ARGUMENT naming the flag, nothing stored")
    func tooManySpans() async throws {
        let harness = IngestHarness { $0.maxSpansPerRequest = 2 }
        try await GRPCCollector.serve(harness) { client in
            let error = try await client.refusal(try Self.request(Fixtures.spans(3, trace: TraceID(high: 9, low: 9))))
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("--max-spans-per-request"))
        }
        #expect(try await harness.store.spanCount() == 0)
        #expect(harness.app.rejections.value(.tooManySpans) == 1)
    }

    @Test("with an ingest token: none or a wrong one is UNAUTHENTICATED (counted), the right one is OK")
    func token() async throws {
        let token = try AccessToken("grpc-secret")
        let harness = IngestHarness { $0.ingestToken = token }
        let spans = Fixtures.spans(1, trace: TraceID(high: 10, low: 10), prefix: "t")
        try await GRPCCollector.serve(harness) { client in
            let missing = try await client.refusal(try Self.request(spans))
            #expect(missing.code == .unauthenticated)
            let wrong = try await client.refusal(try Self.request(spans), metadata: ["authorization": "Bearer nope"])
            #expect(wrong.code == .unauthenticated)
            _ = try await client.export(try Self.request(spans), metadata: ["authorization": "Bearer grpc-secret"])
        }
        #expect(harness.app.rejections.value(.unauthorized) == 2)
        #expect(try await harness.store.spanCount() == 1)
    }

    @Test("queue full: RESOURCE_EXHAUSTED with RetryInfo (retry in 1 s); the queued request still commits")
    func overloaded() async throws {
        let store = InterceptingStore(gatedAppends: true)
        let harness = IngestHarness(store: store) {
            $0.ingestQueueCapacity = 10
            $0.commitsInFlight = 1  // b waits in the queue while a's commit is held
        }
        let a = Fixtures.spans(10, trace: TraceID(high: 11, low: 11), prefix: "a")
        let b = Fixtures.spans(10, trace: TraceID(high: 12, low: 12), prefix: "b")
        try await GRPCCollector.serve(harness) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await client.export(try Self.request(a)) }
                await store.waitForAppendToStart()
                group.addTask { _ = try await client.export(try Self.request(b)) }
                while harness.app.writer.queueDepth < 10 { await Task.yield() }
                let error = try await client.refusal(try Self.request(Fixtures.spans(1, trace: TraceID(high: 13, low: 13))))
                #expect(error.code == .resourceExhausted)
                #expect(try Self.retryDelay(error) == .seconds(1))
                store.open()
                try await group.waitForAll()
            }
        }
        #expect(try await store.inner.spanCount() == 20)
        #expect(harness.app.rejections.value(.overloaded) == 1)
    }

    @Test("store failure: UNAVAILABLE with RetryInfo (1 s); shutting down: UNAVAILABLE with RetryInfo (5 s)")
    func unavailable() async throws {
        let failing = IngestHarness(store: InterceptingStore.failingAppends())
        try await GRPCCollector.serve(failing) { client in
            let error = try await client.refusal(try Self.request(Fixtures.spans(2, trace: TraceID(high: 14, low: 14))))
            #expect(error.code == .unavailable)
            #expect(error.message.contains("could not commit"))
            #expect(try Self.retryDelay(error) == .seconds(1))
        }
        #expect(failing.app.rejections.value(.storeFailure) == 2)

        let closing = IngestHarness()
        try await GRPCCollector.serve(closing) { client in
            closing.app.writer.close()
            let error = try await client.refusal(try Self.request(Fixtures.spans(1, trace: TraceID(high: 15, low: 15))))
            #expect(error.code == .unavailable)
            #expect(try Self.retryDelay(error) == .seconds(5))
        }
    }

    static func request(_ spans: [SpanRecord]) throws -> Request {
        try Request(serializedBytes: OTLPProtobuf.encodeRequest(spans))
    }

    /// The delay of the `google.rpc.RetryInfo` in the error's `grpc-status-details-bin`.
    static func retryDelay(_ error: RPCError) throws -> Duration? {
        let status = try #require(try error.unpackGoogleRPCStatus(), "the refusal carries a google.rpc.Status")
        for detail in status.details {
            if let info = detail.retryInfo { return info.delay }
        }
        return nil
    }
}

/// A collector's gRPC listener on a free loopback port with its ingest writer running, and a
/// grpc-swift client of it.
struct GRPCCollector {
    let client: GRPCClient<HTTP2ClientTransport.Posix>

    /// Serves `harness`'s collector over OTLP/gRPC for the length of `body`.
    static func serve(_ harness: IngestHarness, _ body: (GRPCCollector) async throws -> Void) async throws {
        let bound = AsyncStream<Int?>.makeStream()
        let server = OTLPGRPCServer(
            configuration: .init(address: ListenAddress(host: "127.0.0.1", port: 0), maxRequestBytes: 1 << 20),
            service: harness.app.makeTraceService(), logger: Logger(label: "test"), onListening: { bound.continuation.yield($0) }
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await harness.app.writer.run() }
            group.addTask { try await server.run() }
            var ports = bound.stream.makeAsyncIterator()
            let port = try #require(await ports.next() ?? nil)
            try await GRPCTestClient.with(port: port) { client in try await body(GRPCCollector(client: client)) }
            group.cancelAll()
        }
    }

    func export(
        _ request: GRPCIngestTests.Request, gzip: Bool = false, metadata: Metadata = [:]
    ) async throws
        -> Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse
    {
        var options = CallOptions.defaults
        if gzip { options.compression = .gzip }
        return try await Opentelemetry_Proto_Collector_Trace_V1_TraceService.Client(wrapping: client).export(
            request, metadata: metadata, options: options)
    }

    /// The RPCError a request ends with; fails the test when it succeeds.
    func refusal(_ request: GRPCIngestTests.Request, metadata: Metadata = [:]) async throws -> RPCError {
        do {
            _ = try await export(request, metadata: metadata)
        } catch let error as RPCError {
            return error
        }
        Issue.record("the request succeeded")
        throw CancellationError()
    }

    /// The RPCError raw bytes (not necessarily a request message) end with.
    func refusal(raw: [UInt8]) async throws -> RPCError {
        do {
            _ = try await client.unary(
                request: ClientRequest(message: raw), descriptor: Opentelemetry_Proto_Collector_Trace_V1_TraceService.Method.Export.descriptor,
                serializer: RawBytesCoder(), deserializer: RawBytesCoder(), options: .defaults
            ) { try $0.message }
        } catch let error as RPCError {
            return error
        }
        Issue.record("the request succeeded")
        throw CancellationError()
    }
}

/// A plaintext grpc-swift client of a loopback port that may send gzip.
enum GRPCTestClient {
    static func with<R: Sendable>(port: Int, _ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> R) async throws -> R {
        let transport = try HTTP2ClientTransport.Posix(
            target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext,
            config: .defaults { $0.compression = .init(algorithm: .none, enabledAlgorithms: .all) }
        )
        return try await withGRPCClient(transport: transport) { client in try await body(client) }
    }
}
