import ChoreoCollector
import ChoreoModel
import ChoreoOTLP
import ChoreoServer
import Hummingbird
import HummingbirdTesting
import Testing

/// Bearer-token checks of every route the collector serves, driven by one table.
///
/// To add a route: add a row to ``table`` with the route as the router describes it
/// (`GET /api/v1/flows/{id}`), a concrete URI, and which token guards it. The coverage test fails
/// for a route in `makeRouter()` that has no row, so no endpoint escapes these checks.
@Suite("Collector auth on every endpoint")
struct AuthEndpointTests {
    enum Guard: String, Sendable { case ingest, query, open }

    struct Endpoint: Sendable, CustomTestStringConvertible {
        var route: String
        var uri: String
        var guardedBy: Guard
        var method: HTTPRequest.Method { route.hasPrefix("POST") ? .post : .get }
        var testDescription: String { route }
    }

    static let trace = TraceID(high: 0xA, low: 0xA)

    /// Every route, the concrete request that exercises it and its token. Rows for routes not
    /// (yet) in the router are skipped.
    static let table: [Endpoint] = [
        Endpoint(route: "POST /v1/traces", uri: "/v1/traces", guardedBy: .ingest),
        Endpoint(route: "GET /api/v1/flows", uri: "/api/v1/flows", guardedBy: .query),
        Endpoint(route: "GET /api/v1/flows/{id}", uri: "/api/v1/flows/order-a", guardedBy: .query),
        Endpoint(route: "GET /api/v1/flows/stats", uri: "/api/v1/flows/stats", guardedBy: .query),
        Endpoint(route: "GET /api/v1/flows/{id}/export", uri: "/api/v1/flows/order-a/export?format=mermaid", guardedBy: .query),
        Endpoint(route: "GET /api/v1/traces", uri: "/api/v1/traces", guardedBy: .query),
        Endpoint(route: "GET /api/v1/traces/{id}", uri: "/api/v1/traces/\(trace.hex)", guardedBy: .query),
        Endpoint(route: "GET /api/v1/map", uri: "/api/v1/map", guardedBy: .query),
        Endpoint(route: "GET /api/v1/map/export", uri: "/api/v1/map/export?format=dot", guardedBy: .query),
        Endpoint(route: "GET /api/v1/variants", uri: "/api/v1/variants", guardedBy: .query),
        Endpoint(route: "GET /api/v1/services", uri: "/api/v1/services", guardedBy: .query),
        Endpoint(route: "GET /metrics", uri: "/metrics", guardedBy: .query),
        Endpoint(route: "GET /api/services", uri: "/api/services", guardedBy: .query),
        Endpoint(route: "GET /api/services/{service}/operations", uri: "/api/services/payment/operations", guardedBy: .query),
        Endpoint(route: "GET /api/operations", uri: "/api/operations?service=payment", guardedBy: .query),
        Endpoint(route: "GET /api/traces", uri: "/api/traces?service=payment&lookback=1h", guardedBy: .query),
        Endpoint(route: "GET /api/traces/{traceID}", uri: "/api/traces/\(trace.hex)", guardedBy: .query),
        Endpoint(route: "GET /api/dependencies", uri: "/api/dependencies?endTs=1700000000000&lookback=3600000", guardedBy: .query),
        Endpoint(route: "GET /healthz", uri: "/healthz", guardedBy: .open),
        Endpoint(route: "GET /api/v1/openapi.json", uri: "/api/v1/openapi.json", guardedBy: .open),
        Endpoint(route: "GET /readyz", uri: "/readyz", guardedBy: .open),
        Endpoint(route: "GET /", uri: "/", guardedBy: .open),
        Endpoint(route: "GET /ui/**", uri: "/ui/index.html", guardedBy: .open),
    ]

    static let tokens: [Guard: String] = [.ingest: "ingest-secret-1", .query: "query-secret-2"]

    /// Authorization headers that must never pass, whatever the endpoint.
    static func refused(for guardian: Guard) -> [String] {
        let right = tokens[guardian]!
        let other = tokens[guardian == .ingest ? .query : .ingest]!
        return [
            "", "Bearer", "Bearer ", "Bearer wrong", "Bearer \(other)", "Bearer \(right)x", "Bearer \(right.dropLast())",
            "Bearer \(right) extra", "Basic \(right)", "Token \(right)", "\(right)", "Bearer:\(right)", "Bearer\t\(right)",
            "Bearer \(right.uppercased())", "Bearer \(String(repeating: "a", count: 4096))",
        ]
    }

    /// The routes the collector's router serves now.
    static func servedRoutes() -> Set<String> {
        Set(IngestHarness().app.makeRouter().routes.map(\.description))
    }

    /// The table's rows whose route is served now.
    static var served: [Endpoint] {
        let routes = servedRoutes()
        return table.filter { routes.contains($0.route) }
    }

    func harness(tokens: Bool) async throws -> IngestHarness {
        let harness = IngestHarness { configuration in
            if tokens {
                configuration.ingestToken = try! AccessToken(Self.tokens[.ingest]!)
                configuration.queryToken = try! AccessToken(Self.tokens[.query]!)
            }
        }
        try await harness.store.append(Fixtures.compensatedOrder("order-a", trace: Self.trace))
        return harness
    }

    func send(_ client: some TestClientProtocol, _ endpoint: Endpoint, authorization: String?) async throws -> HTTPResponse.Status {
        var headers: HTTPFields = [:]
        if let authorization { headers[.authorization] = authorization }
        var body: ByteBuffer?
        if endpoint.method == .post {
            headers[.contentType] = OTLPHTTP.protobufContentType
            body = ByteBuffer(bytes: try OTLPProtobuf.encodeRequest(Fixtures.spans(2, trace: TraceID(high: 0xB, low: 0xB))))
        }
        return try await client.execute(uri: endpoint.uri, method: endpoint.method, headers: headers, body: body) { $0.status }
    }

    @Test("every route in the router has a row in the table")
    func coverage() {
        let known = Set(Self.table.map(\.route))
        for route in Self.servedRoutes().sorted() {
            #expect(known.contains(route), "\(route) has no row in AuthEndpointTests.table: add one")
        }
    }

    @Test("with tokens: 401 without, with a wrong or malformed header; through with its own token", arguments: AuthEndpointTests.served)
    func guarded(endpoint: Endpoint) async throws {
        let harness = try await harness(tokens: true)
        try await harness.application.test(.router) { client in
            guard endpoint.guardedBy != .open else {
                #expect(try await send(client, endpoint, authorization: nil) != .unauthorized)
                #expect(try await send(client, endpoint, authorization: "Bearer nonsense") != .unauthorized, "open routes ignore tokens")
                return
            }
            #expect(try await send(client, endpoint, authorization: nil) == .unauthorized, "no header")
            for header in Self.refused(for: endpoint.guardedBy) {
                #expect(try await send(client, endpoint, authorization: header) == .unauthorized, "\"\(header.prefix(40))\"")
            }
            let right = Self.tokens[endpoint.guardedBy]!
            let status = try await send(client, endpoint, authorization: "Bearer \(right)")
            #expect(status != .unauthorized && status.code < 500, "its token lets it through (\(status))")
            #expect(try await send(client, endpoint, authorization: "bEaReR \(right)") == status, "the scheme is case-insensitive")
        }
    }

    @Test("without tokens configured every route is open", arguments: AuthEndpointTests.served)
    func open(endpoint: Endpoint) async throws {
        let harness = try await harness(tokens: false)
        try await harness.application.test(.router) { client in
            let status = try await send(client, endpoint, authorization: nil)
            #expect(status != .unauthorized && status.code < 500, "\(status)")
            #expect(try await send(client, endpoint, authorization: "Bearer whatever") == status, "a stray token changes nothing")
        }
    }

    @Test("refused ingest requests are counted and store nothing")
    func countsRefusals() async throws {
        let harness = try await harness(tokens: true)
        let before = try await harness.store.spanCount()
        let refusals = Self.refused(for: .ingest)
        try await harness.application.test(.router) { client in
            for header in refusals { _ = try await send(client, Self.table[0], authorization: header) }
        }
        #expect(harness.app.rejections.value(.unauthorized) == refusals.count)
        #expect(try await harness.store.spanCount() == before)
    }
}
