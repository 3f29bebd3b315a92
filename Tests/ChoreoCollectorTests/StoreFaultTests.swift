import ChoreoCollector
import ChoreoModel
import ChoreoStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// An answer kept whole, with its JSON `error` when it has one.
struct Answer: Sendable {
    var status: HTTPResponse.Status
    var contentType: String?
    var retryAfter: String?
    var body: [UInt8]

    var error: String? {
        (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["error"] as? String
    }
}

extension TestClientProtocol {
    func answer(_ uri: String, method: HTTPRequest.Method = .get) async throws -> Answer {
        try await execute(uri: uri, method: method) { response in
            Answer(
                status: response.status, contentType: response.headers[.contentType], retryAfter: response.headers[.retryAfter],
                body: Array(response.body.readableBytesView)
            )
        }
    }
}

@Suite("Store faults answer with a body")
struct StoreFaultTests {
    static let traceID = TraceID(high: 7, low: 7)

    @Test(
        "lookups the store fails answer 503 with Retry-After and a JSON body naming the failure",
        arguments: [
            "/api/v1/traces/00000000000000070000000000000007", "/api/v1/flows/order-1", "/api/v1/flows", "/api/v1/traces?service=x",
        ])
    func readFailure(uri: String) async throws {
        let store = InterceptingStore()
        store.failReads(InterceptingStore.ioError)
        let harness = Fixtures.collector(store: store)
        try await harness.application.test(.router) { client in
            let answer = try await client.answer(uri)
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.contentType == "application/json")
            #expect(answer.retryAfter != nil)
            #expect(answer.error?.contains("disk I/O error") == true, "names the failure: \(String(decoding: answer.body, as: UTF8.self))")
        }
    }

    @Test("a damaged store answers 500 with a JSON body; an unexpected error 500 with one too")
    func corruptAndUnexpected() async throws {
        let store = InterceptingStore()
        let harness = Fixtures.collector(store: store)
        try await harness.application.test(.router) { client in
            store.failReads(InterceptingStore.corrupt)
            let corrupt = try await client.answer("/api/v1/traces/00000000000000070000000000000007")
            #expect(corrupt.status == .internalServerError)
            #expect(corrupt.error?.contains("damaged") == true && corrupt.error?.contains("malformed") == true)
            store.failReads(InterceptingStore.DiskFull())
            let unexpected = try await client.answer("/api/v1/traces/00000000000000070000000000000007")
            #expect(unexpected.status == .internalServerError)
            #expect(unexpected.contentType == "application/json")
            #expect(unexpected.error?.contains("DiskFull") == true, "\(unexpected.error ?? "no error")")
        }
    }

    @Test("an unknown route and a wrong method answer 404 with a JSON body naming the route")
    func unknownRoute() async throws {
        let harness = Fixtures.collector()
        try await harness.application.test(.router) { client in
            let unknown = try await client.answer("/api/v1/nope")
            #expect(unknown.status == .notFound)
            #expect(unknown.contentType == "application/json")
            #expect(unknown.error == "no route for GET /api/v1/nope")
            let wrongMethod = try await client.answer("/api/v1/flows", method: .delete)
            #expect(wrongMethod.status.code >= 400)
            #expect(wrongMethod.error?.contains("/api/v1/flows") == true)
        }
    }

    @Test("a bodiless error on the OTLP path gets an OTLP Status in the request's format")
    func otlpPath() async throws {
        let harness = Fixtures.collector()
        try await harness.application.test(.router) { client in
            let answer = try await client.execute(
                uri: "/v1/traces", method: .get, headers: [.contentType: "application/json"]
            ) { Answer(status: $0.status, contentType: $0.headers[.contentType], body: Array($0.body.readableBytesView)) }
            #expect(answer.status == .notFound)
            #expect(answer.contentType == "application/json")
            let status = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]
            #expect((status?["message"] as? String)?.contains("/v1/traces") == true, "\(String(decoding: answer.body, as: UTF8.self))")
        }
    }
}
