import ChoreoTestSupport
import ChoreoServer
import ChoreoAgent
import ChoreoModel
import ChoreoOTLP
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@Suite("Agent bearer tokens")
struct AgentAuthTests {
    static let ingestToken = try! AccessToken("agent-ingest-7")

    func agent(ingestToken: AccessToken?) -> AgentApp<TestClock> {
        var c = AgentConfiguration()
        c.ingestToken = ingestToken
        return AgentApp(configuration: c, sender: FakeSender(), clock: TestClock(.manual), logger: Logger(label: "t"))
    }

    func call(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, authorization: String?) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-protobuf"]
        if let authorization { headers[.authorization] = authorization }
        let body = method == .post ? ByteBuffer(bytes: try OTLPProtobuf.encodeRequest(ForwarderTests.spans(3))) : nil
        return try await client.execute(uri: uri, method: method, headers: headers, body: body) { $0 }
    }

    @Test(
        "the ingest token guards the receiver and /metrics; /healthz stays open",
        arguments: [
            (HTTPRequest.Method.post, "/v1/traces", true), (.get, "/metrics", true), (.get, "/healthz", false),
        ])
    func guarded(method: HTTPRequest.Method, uri: String, isGuarded: Bool) async throws {
        let agent = agent(ingestToken: Self.ingestToken)
        try await Application(router: agent.makeRouter()).test(.router) { client in
            for wrong in [nil, "Bearer nope", "Basic agent-ingest-7", "Bearer agent-ingest-"] as [String?] {
                let response = try await call(client, method, uri, authorization: wrong)
                if isGuarded {
                    #expect(response.status == .unauthorized, "\(uri) with \(wrong ?? "no header")")
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                    #expect(response.body.readableBytes > 0)
                } else {
                    #expect(response.status == .ok)
                }
            }
            let right = try await call(client, method, uri, authorization: "Bearer agent-ingest-7")
            #expect(right.status == .ok)
        }
        if uri == "/v1/traces" {
            #expect(agent.queue.depth == 3, "only the authorised request was queued")
            #expect(agent.receiverCounters.snapshot.rejected[.unauthorized] == 4)
        }
    }

    @Test("without an ingest token every route is open")
    func open() async throws {
        let agent = agent(ingestToken: nil)
        try await Application(router: agent.makeRouter()).test(.router) { client in
            for (method, uri) in [(HTTPRequest.Method.post, "/v1/traces"), (.get, "/metrics"), (.get, "/healthz")] {
                let response = try await call(client, method, uri, authorization: nil)
                #expect(response.status == .ok, "\(uri)")
            }
        }
    }

    @Test("the collector token is sent as Authorization: Bearer on every forwarded request")
    func forwardsToken() async throws {
        let seen = Mutex<[String?]>([])
        let router = Router()
        router.post("/v1/traces") { request, _ -> HTTPResponse.Status in
            seen.withLock { $0.append(request.headers[.authorization]) }
            return .ok
        }
        try await Application(router: router).test(.live) { client in
            let port = try #require(client.port)
            var c = AgentConfiguration(collectorURL: "http://127.0.0.1:\(port)")
            c.collectorHeaders = ["Authorization": "Bearer stale", "X-Extra": "1"]
            c.collectorToken = try AccessToken("collector-token-9\n")
            #expect(c.forwardingHeaders == ["Authorization": "Bearer collector-token-9", "X-Extra": "1"])
            let sender = HTTPBatchSender(url: c.tracesURL, headers: c.forwardingHeaders, timeout: .seconds(5))
            let result = await sender.send(Gzip.compress(try OTLPProtobuf.encodeRequest(ForwarderTests.spans(2))))
            await sender.shutdown()
            #expect(result == .accepted)
        }
        #expect(seen.withLock { $0 } == ["Bearer collector-token-9"])
    }

    @Test("without a collector token the configured headers go as they are")
    func noCollectorToken() {
        let c = AgentConfiguration(collectorHeaders: ["X-Extra": "1"])
        #expect(c.forwardingHeaders == ["X-Extra": "1"])
    }
}
