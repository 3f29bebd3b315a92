import ChoreoServer
import ChoreoCollector
import ChoreoModel
import ChoreoOTLP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Collector bearer tokens")
struct AuthTests {
    static let ingestToken = try! AccessToken("ingest-secret-1")
    static let queryToken = try! AccessToken("query-secret-2")

    /// Every endpoint, the token that guards it (nil: open), and a request that succeeds with it.
    static let endpoints: [(name: String, method: HTTPRequest.Method, uri: String, guardedBy: String?)] = [
        ("ingest", .post, "/v1/traces", "ingest"),
        ("flows", .get, "/api/v1/flows", "query"),
        ("flow", .get, "/api/v1/flows/order-a", "query"),
        ("trace", .get, "/api/v1/traces/\(TraceID(high: 0xA, low: 0xA).hex)", "query"),
        ("metrics", .get, "/metrics", "query"),
        ("healthz", .get, "/healthz", nil),
        ("readyz", .get, "/readyz", nil),
    ]

    static let tokenText = ["ingest": "ingest-secret-1", "query": "query-secret-2"]

    func request(
        _ client: some TestClientProtocol, _ endpoint: (name: String, method: HTTPRequest.Method, uri: String, guardedBy: String?),
        authorization: String?
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let authorization { headers[.authorization] = authorization }
        var body: ByteBuffer?
        if endpoint.method == .post {
            headers[.contentType] = OTLPHTTP.protobufContentType
            body = ByteBuffer(bytes: try OTLPProtobuf.encodeRequest(Fixtures.compensatedOrder("order-b", trace: TraceID(high: 0xB, low: 0xB))))
        }
        return try await client.execute(uri: endpoint.uri, method: endpoint.method, headers: headers, body: body) { $0 }
    }

    func harness() async throws -> CollectorHarness {
        let harness = Fixtures.collector(ingestToken: Self.ingestToken, queryToken: Self.queryToken)
        try await harness.store.append(Fixtures.compensatedOrder("order-a", trace: TraceID(high: 0xA, low: 0xA)))
        return harness
    }

    @Test(
        "with tokens, each endpoint answers 200 with its own token and 401 without it; health stays open",
        arguments: AuthTests.endpoints.indices)
    func guarded(index: Int) async throws {
        let endpoint = Self.endpoints[index]
        let harness = try await harness()
        try await harness.application.test(.router) { client in
            let open = try await request(client, endpoint, authorization: nil)
            guard let guardian = endpoint.guardedBy else {
                #expect(open.status == .ok, "\(endpoint.name) needs no token")
                return
            }
            #expect(open.status == .unauthorized, "\(endpoint.name) without a token")
            #expect(open.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(open.body.readableBytes > 0, "a 401 says why")

            let other = guardian == "ingest" ? "query" : "ingest"
            for wrong in [
                "Bearer nope", "Bearer \(Self.tokenText[other]!)", "Basic \(Self.tokenText[guardian]!)", "Bearer ", "Bearer \(Self.tokenText[guardian]!)x",
            ] {
                let response = try await request(client, endpoint, authorization: wrong)
                #expect(response.status == .unauthorized, "\(endpoint.name) with \"\(wrong)\"")
            }
            let right = try await request(client, endpoint, authorization: "Bearer \(Self.tokenText[guardian]!)")
            #expect(right.status == .ok, "\(endpoint.name) with its token")
            let lowercase = try await request(client, endpoint, authorization: "bearer \(Self.tokenText[guardian]!)")
            #expect(lowercase.status == .ok, "the scheme is case-insensitive")
        }
    }

    @Test("without tokens configured, every endpoint is open", arguments: AuthTests.endpoints.indices)
    func open(index: Int) async throws {
        let endpoint = Self.endpoints[index]
        let harness = Fixtures.collector()
        try await harness.store.append(Fixtures.compensatedOrder("order-a", trace: TraceID(high: 0xA, low: 0xA)))
        try await harness.application.test(.router) { client in
            let response = try await request(client, endpoint, authorization: nil)
            #expect(response.status == .ok, "\(endpoint.name)")
        }
    }

    @Test("a refused ingest request stores nothing, answers an OTLP status and is counted as unauthorized")
    func refusedIngest() async throws {
        let harness = try await harness()
        let before = try await harness.store.spanCount()
        try await harness.application.test(.router) { client in
            let response = try await request(client, Self.endpoints[0], authorization: "Bearer wrong")
            #expect(response.status == .unauthorized)
            #expect(response.headers[.contentType] == OTLPHTTP.protobufContentType, "an OTLP sender gets an OTLP Status")
            let json = try await client.execute(
                uri: "/v1/traces", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}")
            ) { $0 }
            #expect(json.status == .unauthorized)
            let status = try JSONSerialization.jsonObject(with: Data(buffer: json.body)) as? [String: Any]
            #expect((status?["message"] as? String)?.contains("token") == true)
        }
        #expect(try await harness.store.spanCount() == before)
        #expect(harness.app.rejections.value(.unauthorized) == 2)
        #expect(harness.app.writer.stats.committedSpans == 0)
    }

    @Test("a refused query gets a JSON error")
    func refusedQuery() async throws {
        let harness = try await harness()
        try await harness.application.test(.router) { client in
            let response = try await request(client, Self.endpoints[1], authorization: nil)
            #expect(response.headers[.contentType] == "application/json")
            let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: String]
            #expect(body?["error"]?.contains("token") == true)
        }
    }
}
