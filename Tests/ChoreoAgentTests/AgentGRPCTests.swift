import ChoreoAgent
import ChoreoModel
import ChoreoOTLP
import ChoreoOTLPGRPC
import ChoreoServer
import ChoreoTestSupport
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf
import Logging
import Testing

/// OTLP/gRPC `TraceService/Export` on the agent, through a real grpc-swift client over loopback:
/// the receiving path of `POST /v1/traces` (queue, upstream limits, token) with the OTLP status codes.
@Suite("Agent OTLP/gRPC receiver", .timeLimit(.minutes(2)))
struct AgentGRPCTests {
    typealias Request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
    typealias Service = Opentelemetry_Proto_Collector_Trace_V1_TraceService

    func agent(capacity: Int = 1000, _ adjust: (inout AgentConfiguration) -> Void = { _ in }) -> AgentApp<TestClock> {
        var c = AgentConfiguration()
        c.queueCapacity = capacity
        c.batchMaxSpans = min(capacity, 1000)
        adjust(&c)
        return AgentApp(configuration: c, sender: FakeSender(), clock: TestClock(.manual), logger: Logger(label: "t"))
    }

    @Test("a gzip-compressed Export is queued and answered OK")
    func acceptsGzip() async throws {
        let agent = agent()
        try await Self.serve(agent) { client in
            var options = CallOptions.defaults
            options.compression = .gzip
            let response = try await Service.Client(wrapping: client).export(try Self.request(5), options: options)
            #expect(!response.hasPartialSuccess)
        }
        #expect(agent.queue.depth == 5)
        #expect(agent.receiverCounters.snapshot.receivedSpans == 5)
    }

    @Test("malformed bytes and a request over the collector's span limit: INVALID_ARGUMENT, nothing queued")
    func rejects() async throws {
        let agent = agent { $0.upstream.maxSpansPerRequest = 3 }
        try await Self.serve(agent) { client in
            let malformed = try await Self.refusal {
                try await client.unary(
                    request: ClientRequest(message: [0x0A, 0xFF, 0xFF, 0x01]), descriptor: Service.Method.Export.descriptor,
                    serializer: RawBytesCoder(), deserializer: RawBytesCoder(), options: .defaults
                ) { _ = try $0.message }
            }
            #expect(malformed.code == .invalidArgument)
            let tooMany = try await Self.refusal { _ = try await Service.Client(wrapping: client).export(try Self.request(4)) }
            #expect(tooMany.code == .invalidArgument)
            #expect(tooMany.message.contains("max-spans-per-request"), "names the limit: \(tooMany.message)")
        }
        #expect(agent.queue.depth == 0)
        #expect(agent.receiverCounters.snapshot.rejectedRequests == 2)
    }

    @Test("queue full: UNAVAILABLE with RetryInfo (retry in 1 s), the refused spans counted")
    func queueFull() async throws {
        let agent = agent(capacity: 4)
        try await Self.serve(agent) { client in
            _ = try await Service.Client(wrapping: client).export(try Self.request(4))
            let error = try await Self.refusal { _ = try await Service.Client(wrapping: client).export(try Self.request(2)) }
            #expect(error.code == .unavailable)
            let status = try #require(try error.unpackGoogleRPCStatus())
            #expect(status.details.compactMap(\.retryInfo).map(\.delay) == [.seconds(1)])
        }
        #expect(agent.queue.depth == 4)
        #expect(agent.receiverCounters.snapshot.refusedSpans == 2)
    }

    @Test("with an ingest token: without it UNAUTHENTICATED (counted), with it OK")
    func token() async throws {
        let agent = agent { $0.ingestToken = try? AccessToken("agent-secret") }
        try await Self.serve(agent) { client in
            let error = try await Self.refusal { _ = try await Service.Client(wrapping: client).export(try Self.request(1)) }
            #expect(error.code == .unauthenticated)
            _ = try await Service.Client(wrapping: client).export(try Self.request(1), metadata: ["authorization": "Bearer agent-secret"])
        }
        #expect(agent.queue.depth == 1)
        #expect(agent.receiverCounters.snapshot.rejected[.unauthorized] == 1)
    }

    static func request(_ count: Int) throws -> Request {
        try Request(serializedBytes: OTLPProtobuf.encodeRequest(ForwarderTests.spans(count)))
    }

    /// The RPCError `call` ends with; fails the test when it succeeds.
    static func refusal(_ call: () async throws -> Void) async throws -> RPCError {
        do { try await call() } catch let error as RPCError { return error }
        Issue.record("the call succeeded")
        throw CancellationError()
    }

    /// Serves `agent`'s OTLP/gRPC receiver on a free loopback port for the length of `body`.
    static func serve(_ agent: AgentApp<TestClock>, _ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Void) async throws {
        let bound = AsyncStream<Int?>.makeStream()
        let server = OTLPGRPCServer(
            configuration: .init(address: ListenAddress(host: "127.0.0.1", port: 0), maxRequestBytes: 1 << 20),
            service: agent.makeTraceService(), logger: Logger(label: "t"), onListening: { bound.continuation.yield($0) }
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var ports = bound.stream.makeAsyncIterator()
            let port = try #require(await ports.next() ?? nil)
            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext,
                config: .defaults { $0.compression = .init(algorithm: .none, enabledAlgorithms: .all) }
            )
            try await withGRPCClient(transport: transport) { client in try await body(client) }
            group.cancelAll()
        }
    }
}
