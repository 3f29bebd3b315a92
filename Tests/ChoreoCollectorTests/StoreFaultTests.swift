import ChoreoCollector
import ChoreoModel
import ChoreoStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// A store whose reads and writes fail while told to, as a damaged file or a full disk would.
final class FaultyStore: SpanStore {
    struct Faults {
        var reads: (any Error)?
        var writes: (any Error)?
    }
    let inner = InMemorySpanStore()
    private let faults = Mutex(Faults())

    static let ioError = StoreError(.sqlite, "disk I/O error", sqliteCode: 10)
    static let corrupt = StoreError(.sqlite, "database disk image is malformed", sqliteCode: 11)

    func failReads(_ error: (any Error)?) { faults.withLock { $0.reads = error } }
    func failWrites(_ error: (any Error)?) { faults.withLock { $0.writes = error } }

    private func read<T>(_ call: () async throws -> T) async throws -> T {
        if let error = faults.withLock({ $0.reads }) { throw error }
        return try await call()
    }

    private func write(_ call: () async throws -> Void) async throws {
        if let error = faults.withLock({ $0.writes }) { throw error }
        try await call()
    }

    func append(_ spans: [SpanRecord]) async throws { try await write { try await inner.append(spans) } }
    func spans(traceID: TraceID) async throws -> [SpanRecord] { try await read { try await inner.spans(traceID: traceID) } }
    func spans(correlationID: String) async throws -> [SpanRecord] { try await read { try await inner.spans(correlationID: correlationID) } }
    func dirtyFlows(limit: Int) async throws -> [DirtyFlow] { try await read { try await inner.dirtyFlows(limit: limit) } }
    func upsertSummaries(_ summaries: [FlowSummary], clearing: [DirtyFlow]) async throws {
        try await write { try await inner.upsertSummaries(summaries, clearing: clearing) }
    }
    func flowSummary(correlationID: String) async throws -> FlowSummary? { try await read { try await inner.flowSummary(correlationID: correlationID) } }
    func flowSummaries(_ query: FlowQuery) async throws -> [FlowSummary] { try await read { try await inner.flowSummaries(query) } }
    func spanCount() async throws -> Int { try await read { try await inner.spanCount() } }
    func upsertFlows(_ flows: [IndexedFlow], clearing: [DirtyFlow]) async throws {
        try await write { try await inner.upsertFlows(flows, clearing: clearing) }
    }
    func flowTrails(_ query: FlowQuery) async throws -> [FlowTrail] { try await read { try await inner.flowTrails(query) } }
    func flowCounts(_ query: FlowQuery) async throws -> [FlowStatus: Int] { try await read { try await inner.flowCounts(query) } }
    func judging() async throws -> [UInt8]? { try await inner.judging() }
    func dueFlows(at unixNano: UInt64, limit: Int) async throws -> [String] { try await inner.dueFlows(at: unixNano, limit: limit) }
    func saveJudging(_ settings: [UInt8]) async throws { try await inner.saveJudging(settings) }
    func traceSummaries(_ query: TraceQuery) async throws -> [TraceSummary] { try await read { try await inner.traceSummaries(query) } }
}

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
        let store = FaultyStore()
        store.failReads(FaultyStore.ioError)
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
        let store = FaultyStore()
        let harness = Fixtures.collector(store: store)
        try await harness.application.test(.router) { client in
            store.failReads(FaultyStore.corrupt)
            let corrupt = try await client.answer("/api/v1/traces/00000000000000070000000000000007")
            #expect(corrupt.status == .internalServerError)
            #expect(corrupt.error?.contains("damaged") == true && corrupt.error?.contains("malformed") == true)
            store.failReads(FailingStore.DiskFull())
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
