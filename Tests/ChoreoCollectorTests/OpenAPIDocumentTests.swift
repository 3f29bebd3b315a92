import ChoreoCollector
import ChoreoModel
import ChoreoOTLP
import ChoreoServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /api/v1/openapi.json` against the collector it describes: a well-formed OpenAPI 3.1
/// document, one operation per route of the real router and no more, and real answers that
/// match the documented schemas.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
    static let trace = TraceID(high: 0xFEED, low: 0xBEEF)

    /// The document as the collector serves it (with no token, though the query API has one).
    func served() async throws -> JSONValue {
        let harness = IngestHarness { $0.queryToken = try! AccessToken("query-secret") }
        return try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                return try JSONValue.parse(response.body.readableBytesView)
            }
        }
    }

    @Test("the document is OpenAPI 3.1: its top-level fields, every $ref resolves, every operation answers and names its path parameters")
    func structure() async throws {
        let document = try await served()
        let checker = OpenAPISchemaChecker(document: document)
        #expect(document["openapi"]?.string?.hasPrefix("3.1.") == true)
        #expect(document["info"]?["title"]?.string?.isEmpty == false)
        #expect(document["info"]?["version"]?.string?.isEmpty == false)
        let schemes = try #require(document["components"]?["securitySchemes"]?.object)
        #expect(Set(schemes.keys) == ["queryToken", "ingestToken"])

        let references = checker.references()
        #expect(references.count > 50, "the document shares its parts by reference")
        for (at, reference) in references {
            #expect(checker.resolve(reference: reference) != nil, "\(at): \(reference) resolves nowhere")
        }

        let paths = try #require(document["paths"]?.object)
        #expect(!paths.isEmpty)
        for (path, item) in paths {
            let operations = (item.object ?? [:]).filter { Self.methods.contains($0.key) }
            #expect(!operations.isEmpty, "\(path) has no operation")
            let templated = Set(path.matches(of: /\{([^}]+)\}/).map { String($0.output.1) })
            for (method, operation) in operations {
                let responses = operation["responses"]?.object ?? [:]
                #expect(!responses.isEmpty, "\(method) \(path) has no responses")
                for (status, response) in responses {
                    #expect(status.count == 3 && Int(status) != nil, "\(method) \(path): response key \(status)")
                    #expect(checker.resolved(response)?["description"]?.string != nil, "\(method) \(path) \(status) has no description")
                }
                #expect(operation["security"]?.array != nil, "\(method) \(path) says nothing of its token")
                let parameters = ((item["parameters"]?.array ?? []) + (operation["parameters"]?.array ?? [])).compactMap(checker.resolved)
                let inPath = parameters.filter { $0["in"]?.string == "path" }
                #expect(Set(inPath.compactMap { $0["name"]?.string }) == templated, "\(method) \(path): path parameters")
                for parameter in inPath { #expect(parameter["required"] == .bool(true), "\(method) \(path): a path parameter is required") }
                for parameter in parameters { #expect(parameter["schema"] != nil, "\(method) \(path): parameter \(parameter) has no schema") }
            }
        }
    }

    /// The router's routes as the document writes them: `GET /ui/**` (any depth) is `/ui/{path}`.
    static func routerOperations() -> Set<String> {
        let routes = IngestHarness().app.makeRouter().routes.map { route in
            "\(route.method.rawValue) \(route.path.description.replacingOccurrences(of: "/**", with: "/{path}"))"
        }
        return Set(routes)
    }

    @Test("every route the router registers is in the document, and the document has no route the router lacks")
    func routesMatch() async throws {
        let document = try await served()
        let paths = try #require(document["paths"]?.object)
        var documented: Set<String> = []
        for (path, item) in paths {
            for method in (item.object ?? [:]).keys where Self.methods.contains(method) { documented.insert("\(method.uppercased()) \(path)") }
        }
        let served = Self.routerOperations()
        #expect(served.count > 15)
        for route in served.subtracting(documented).sorted() {
            Issue.record("\(route) is served but not in the OpenAPI document (Sources/ChoreoCollector/OpenAPIDocument.swift): document it")
        }
        for route in documented.subtracting(served).sorted() {
            Issue.record("\(route) is in the OpenAPI document but the router does not serve it")
        }
    }

    /// Requests whose answers are checked, with the documented path they exercise.
    static let requests: [(uri: String, path: String)] = [
        ("/api/v1/flows", "/api/v1/flows"),
        ("/api/v1/flows?status=compensated&limit=5", "/api/v1/flows"),
        ("/api/v1/flows/order-7", "/api/v1/flows/{id}"),
        ("/api/v1/flows/order-7?steps_from=1&steps_limit=2", "/api/v1/flows/{id}"),
        ("/api/v1/flows/order-7?outline=true&steps_limit=0&traces_limit=1", "/api/v1/flows/{id}"),
        ("/api/v1/flows/order-7?steps_at=0,2-3&traces_from=1", "/api/v1/flows/{id}"),
        ("/api/v1/flows/order-7?steps_at=x", "/api/v1/flows/{id}"),
        ("/api/v1/flows/nope", "/api/v1/flows/{id}"),
        ("/api/v1/flows/order-7/export?format=json", "/api/v1/flows/{id}/export"),
        ("/api/v1/flows/stats", "/api/v1/flows/stats"),
        ("/api/v1/flows?limit=0", "/api/v1/flows"),
        ("/api/v1/map", "/api/v1/map"),
        ("/api/v1/map/export?format=json", "/api/v1/map/export"),
        ("/api/v1/variants", "/api/v1/variants"),
        ("/api/v1/traces", "/api/v1/traces"),
        ("/api/v1/traces?errors=maybe", "/api/v1/traces"),
        ("/api/v1/traces/\(trace.hex)", "/api/v1/traces/{id}"),
        ("/api/v1/traces/\(TraceID(high: 1, low: 1).hex)", "/api/v1/traces/{id}"),
        ("/api/v1/traces/xyz", "/api/v1/traces/{id}"),
        ("/readyz", "/readyz"),
        // Jaeger's query API.
        ("/api/services", "/api/services"),
        ("/api/services/order/operations", "/api/services/{service}/operations"),
        ("/api/operations?service=order", "/api/operations"),
        ("/api/operations", "/api/operations"),
        ("/api/traces?service=order&lookback=100000h", "/api/traces"),
        ("/api/traces?service=order&minDuration=soon", "/api/traces"),
        ("/api/traces/\(trace.hex)", "/api/traces/{traceID}"),
        ("/api/traces/\(TraceID(high: 1, low: 1).hex)", "/api/traces/{traceID}"),
        ("/api/dependencies?endTs=1800000020000&lookback=100000000", "/api/dependencies"),
    ]

    @Test("real answers of a running collector match the documented status, media type and schema")
    func answersMatchSchemas() async throws {
        let document = try await served()
        let checker = OpenAPISchemaChecker(document: document)
        let harness = IngestHarness()
        try await harness.store.append(Fixtures.compensatedOrder("order-7", trace: Self.trace))
        try await harness.app.indexer.catchUp()
        let checked = try await harness.application.test(.live) { client in
            var checked = 0
            for (uri, path) in Self.requests {
                let wasChecked = try await client.execute(uri: uri, method: .get) { response -> Bool in
                    let status = "\(response.status.code)"
                    let operation = try #require(document["paths"]?[path]?["get"], "GET \(path) is not documented")
                    guard let documented = operation["responses"]?[status].flatMap(checker.resolved) else {
                        Issue.record("GET \(uri) answered \(status), which GET \(path) does not document")
                        return false
                    }
                    let mediaType = response.headers[.contentType]?.split(separator: ";").first.map { String($0) } ?? ""
                    guard mediaType == "application/json" else { return false }
                    let schema = try #require(documented["content"]?["application/json"]?["schema"], "GET \(path) \(status): no JSON schema")
                    let body = try JSONValue.parse(response.body.readableBytesView)
                    let violations = checker.violations(of: body, against: schema)
                    #expect(violations.isEmpty, "GET \(uri) → \(status): \(violations.prefix(10).joined(separator: "; "))")
                    return true
                }
                if wasChecked { checked += 1 }
            }
            return checked
        }
        #expect(checked == Self.requests.count - 1, "every answer but /readyz's text is JSON and was checked")
    }

    @Test("the checker finds a missing required field, a wrong type and a value outside an enum")
    func checkerCatchesViolations() async throws {
        let checker = OpenAPISchemaChecker(document: try await served())
        let summary: JSONValue = .object([
            "correlation_id": .string("o"), "status": .string("finished"), "outcome": .null, "started_at": .string("2026-01-01T00:00:00Z"),
            "last_activity_at": .string("yesterday"), "step_count": .string("3"), "compensation_count": .integer(0), "error_count": .integer(0),
            "services": .array([]), "types": .array([]),
        ])
        let violations = checker.violations(of: summary, against: .object(["$ref": .string("#/components/schemas/FlowSummary")]))
        #expect(violations.contains { $0.contains("waiting_for") && $0.contains("missing") }, "\(violations)")
        #expect(violations.contains { $0.contains("$.status") }, "\(violations)")
        #expect(violations.contains { $0.contains("$.step_count") }, "\(violations)")
        #expect(violations.contains { $0.contains("$.last_activity_at") }, "\(violations)")
        #expect(violations.count == 4, "\(violations)")
    }
}
