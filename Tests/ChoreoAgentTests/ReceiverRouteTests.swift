import ChoreoTestSupport
import ChoreoAgent
import ChoreoModel
import ChoreoOTLP
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("Agent receiver")
struct ReceiverRouteTests {
    func agent(capacity: Int = 1000) -> AgentApp<TestClock> {
        var c = AgentConfiguration()
        c.queueCapacity = capacity
        c.batchMaxSpans = capacity
        c.maxBodyBytes = 1 << 16
        return AgentApp(configuration: c, sender: FakeSender(), clock: TestClock(.manual), logger: Logger(label: "t"))
    }

    @Test("protobuf, JSON and gzip bodies are queued", arguments: ["protobuf", "json", "gzip"])
    func accepts(format: String) async throws {
        let agent = agent()
        let spans = ForwarderTests.spans(5)
        var headers: HTTPFields = [.contentType: format == "json" ? "application/json" : "application/x-protobuf"]
        var body = format == "json" ? try OTLPJSON.encodeRequest(spans) : try OTLPProtobuf.encodeRequest(spans)
        if format == "gzip" {
            body = Gzip.compress(body)
            headers[.contentEncoding] = "gzip"
        }
        let requestHeaders = headers
        let requestBody = body
        try await Application(router: agent.makeRouter()).test(.router) { client in
            try await client.execute(uri: "/v1/traces", method: .post, headers: requestHeaders, body: ByteBuffer(bytes: requestBody)) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(agent.queue.depth == 5)
        #expect(agent.receiverCounters.snapshot.receivedSpans == 5)
    }

    @Test("malformed bodies get 400 with a reason; oversize 413; nothing is queued")
    func rejects() async throws {
        let agent = agent()
        try await Application(router: agent.makeRouter()).test(.router) { client in
            try await client.execute(
                uri: "/v1/traces", method: .post, headers: [.contentType: "application/x-protobuf"], body: ByteBuffer(bytes: [0xFF, 0xFF, 0xFF])
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.body.readableBytes > 0)
            }
            try await client.execute(
                uri: "/v1/traces", method: .post, headers: [.contentType: "application/x-protobuf"],
                body: ByteBuffer(bytes: [UInt8](repeating: 0, count: (1 << 16) + 1))
            ) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
        #expect(agent.queue.depth == 0)
        #expect(agent.receiverCounters.snapshot.rejectedRequests == 2)
    }

    @Test("a full queue answers 503 with Retry-After so the sender keeps its spans")
    func backpressure() async throws {
        try await Self.expectSecondRequestRefused(by: agent(capacity: 8))
    }

    /// Posts two requests of 5 spans: the first is queued (200), the second refused with 503 and
    /// `Retry-After: 1`; only the first request's spans are queued, the second's counted refused.
    static func expectSecondRequestRefused(by agent: AgentApp<TestClock>) async throws {
        try await Application(router: agent.makeRouter()).test(.router) { client in
            for (i, expected) in [HTTPResponse.Status.ok, .serviceUnavailable].enumerated() {
                let body = try OTLPProtobuf.encodeRequest(ForwardersSpans.make(5, from: i * 5))
                try await client.execute(
                    uri: "/v1/traces", method: .post, headers: [.contentType: "application/x-protobuf"], body: ByteBuffer(bytes: body)
                ) { response in
                    #expect(response.status == expected)
                    if expected == .serviceUnavailable { #expect(response.headers[.retryAfter] == "1") }
                }
            }
        }
        #expect(agent.queue.depth == 5)
        #expect(agent.receiverCounters.snapshot.refusedSpans == 5)
    }
}

enum ForwardersSpans {
    static func make(_ n: Int, from start: Int) -> [SpanRecord] { ForwarderTests.spans(n, from: start) }
}
