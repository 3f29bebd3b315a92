import ChoreoCollector
import ChoreoModel
import ChoreoStore
import Foundation
import Hummingbird
import HummingbirdTesting
import ChoreoTestSupport
import Testing

/// A generated test of the query API: every query parameter and path id of every GET route gets
/// hostile values (overflowing numbers, years past 2262, offsets out of range, broken
/// percent-encoding, NULs, huge strings, over-long lists, repeated parameters) mixed with valid
/// ones, against a store holding real flows.
///
/// Every answer must be 2xx or 4xx — no 5xx, no crash — and every 4xx (and every JSON 2xx)
/// must carry a JSON body. `CHOREO_FUZZ_CASES` sets the number of requests per store (default
/// 10,000) and `CHOREO_FUZZ_SEED` the seed of the SQLite run (the in-memory run uses the next
/// one); a failure message names the seed and the URIs.
@Suite("Query parameter fuzz")
struct QueryParameterFuzzTests {
    static let cases = FuzzBudget.cases(default: 10_000)
    static let seed = ProcessInfo.processInfo.environment["CHOREO_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0xC0FFEE

    @Test("hostile values for every parameter of every query route give only 2xx or 4xx, with a JSON body", arguments: ["sqlite", "memory"])
    func fuzz(storeKind: String) async throws {
        let path = storeKind == "sqlite" ? try Fixtures.temporaryPath("fuzz.sqlite") : nil
        defer { path.map { try? FileManager.default.removeItem(atPath: ($0 as NSString).deletingLastPathComponent) } }
        let store: any SpanStore = try path.map { try SQLiteSpanStore(path: $0) } ?? InMemorySpanStore()
        let stored = try await Self.fill(store)
        let harness = Fixtures.collector(store: store)
        let seed = storeKind == "sqlite" ? Self.seed : Self.seed &+ 1
        let started = ContinuousClock.now
        let tally = try await harness.application.test(.router) { client in
            var generator = SplitMix64(seed: seed)
            var tally = QueryFuzzTally()
            for _ in 0..<Self.cases {
                let route = generator.pick(QueryFuzzRoute.all)
                let uri = route.uri(stored: stored, using: &generator)
                let answer = try await client.execute(uri: uri, method: .get) { QueryFuzzAnswer($0) }
                tally.record(route: route, uri: uri, answer: answer)
            }
            return tally
        }
        let elapsed = ContinuousClock.now - started
        print("query fuzz (\(storeKind), seed \(seed)): \(tally.total) requests, \(tally.ok) 2xx, \(tally.clientErrors) 4xx, \(elapsed)")
        #expect(tally.failures.isEmpty, "seed \(seed): \(tally.failures.count) bad answers, e.g. \(tally.failures.prefix(10))")
        #expect(tally.total == Self.cases)
        #expect(tally.ok > 0 && tally.clientErrors > 0, "the fuzz must see both successes and refusals to have tested anything")
        for route in QueryFuzzRoute.all {
            let seen = tally.byRoute[route.name] ?? (0, 0)
            #expect(seen.ok > 0 && seen.clientErrors > 0, "\(route.name) saw \(seen.ok) 2xx and \(seen.clientErrors) 4xx")
        }
        await (store as? SQLiteSpanStore)?.close()
    }

    /// Stores five compensated orders (one with a `/` in its id) and returns what valid values use.
    static func fill(_ store: any SpanStore) async throws -> QueryFuzzStore {
        let ids = ["order-1", "order-2", "order-3", "eu/order-4", "order 5"]
        var traces: [TraceID] = []
        for (i, id) in ids.enumerated() {
            let trace = TraceID(high: 0xF0 + UInt64(i), low: 0xBEEF)
            traces.append(trace)
            try await store.append(Fixtures.compensatedOrder(id, trace: trace))
        }
        return QueryFuzzStore(t0: Fixtures.t0, flowIDs: ids, traceIDs: traces)
    }
}

/// One GET route of the query API: its path (with an id, for the `:id` routes) and parameters.
struct QueryFuzzRoute: Sendable {
    enum PathID: Sendable { case none, flow, trace }

    var name: String
    var pathID: PathID
    var parameters: [String]
    /// Whether a 2xx may be text rather than JSON (the export routes, by `format`).
    var mayAnswerText = false

    static let flowFilters = ["status", "type", "service", "since", "until", "limit"]
    static let all: [QueryFuzzRoute] = [
        QueryFuzzRoute(name: "/api/v1/flows", pathID: .none, parameters: flowFilters),
        QueryFuzzRoute(name: "/api/v1/flows/stats", pathID: .none, parameters: flowFilters),
        QueryFuzzRoute(name: "/api/v1/flows/:id", pathID: .flow, parameters: []),
        QueryFuzzRoute(name: "/api/v1/flows/:id/export", pathID: .flow, parameters: ["format"], mayAnswerText: true),
        QueryFuzzRoute(name: "/api/v1/map", pathID: .none, parameters: flowFilters),
        QueryFuzzRoute(name: "/api/v1/map/export", pathID: .none, parameters: ["format"] + flowFilters, mayAnswerText: true),
        QueryFuzzRoute(name: "/api/v1/variants", pathID: .none, parameters: flowFilters + ["flows"]),
        QueryFuzzRoute(name: "/api/v1/traces", pathID: .none, parameters: ["service", "name", "attribute", "errors", "since", "until", "limit"]),
        QueryFuzzRoute(name: "/api/v1/traces/:id", pathID: .trace, parameters: []),
    ]

    /// A request URI: the path with a valid or hostile id, then zero to five parameters.
    func uri(stored: QueryFuzzStore, using generator: inout SplitMix64) -> String {
        var path = name
        switch pathID {
        case .none: break
        case .flow: path = path.replacingOccurrences(of: ":id", with: Self.id(QueryFuzzCorpus.flowIDs(stored: stored), &generator))
        case .trace: path = path.replacingOccurrences(of: ":id", with: Self.id(QueryFuzzCorpus.traceIDs(stored: stored), &generator))
        }
        var items: [String] = []
        for _ in 0..<Int.random(in: 0...5, using: &generator) {
            let parameter =
                generator.chance(8) || parameters.isEmpty
                ? generator.pick(["x", "LIMIT", "status[]", "%73tatus", "", "since%00"]) : generator.pick(parameters)
            let value = Self.value(for: parameter, stored: stored, using: &generator)
            let repeats = generator.chance(5) && value.utf8.count < 300 ? generator.pick([2, 100, 101, 250]) : 1
            items += Array(repeating: "\(parameter)=\(value)", count: repeats)
        }
        if generator.chance(3) { items.append(generator.pick(["", "&", "=", "==x", "limit"])) }
        return items.isEmpty ? path : path + "?" + items.joined(separator: "&")
    }

    private static func id(_ ids: (valid: [String], hostile: [String]), _ generator: inout SplitMix64) -> String {
        generator.chance(60) ? generator.pick(ids.valid) : generator.pick(ids.hostile)
    }

    /// A value as URI text: mostly valid, else hostile, raw junk, or a list around the limit.
    private static func value(for parameter: String, stored: QueryFuzzStore, using generator: inout SplitMix64) -> String {
        let valid = QueryFuzzCorpus.valid(parameter, stored: stored)
        switch Int.random(in: 0..<100, using: &generator) {
        case ..<55: return QueryFuzzEncoding.encode(generator.pick(valid))
        case ..<82: return QueryFuzzEncoding.encode(generator.pick(QueryFuzzCorpus.hostile))
        case ..<92: return generator.pick(QueryFuzzCorpus.rawHostile)
        default:
            let count = generator.pick([2, 99, 100, 101, 150, 1_000])
            let values = (0..<count).map { _ in generator.chance(90) ? generator.pick(valid) : generator.pick(QueryFuzzCorpus.shortHostile) }
            return QueryFuzzEncoding.encode(values.joined(separator: ","))
        }
    }
}

/// What the fuzz checks of one answer.
struct QueryFuzzAnswer: Sendable {
    var code: Int
    var contentType: String
    var body: Data

    init(_ response: TestResponse) {
        code = Int(response.status.code)
        contentType = response.headers[.contentType] ?? ""
        body = Data(buffer: response.body)
    }
}

/// Answers seen by the fuzz, and the ones that break the contract.
struct QueryFuzzTally: Sendable {
    var total = 0, ok = 0, clientErrors = 0
    var byRoute: [String: (ok: Int, clientErrors: Int)] = [:]
    var failures: [String] = []

    mutating func record(route: QueryFuzzRoute, uri: String, answer: QueryFuzzAnswer) {
        total += 1
        let code = answer.code
        let json = answer.contentType.hasPrefix("application/json")
        let body = try? JSONSerialization.jsonObject(with: answer.body, options: [.fragmentsAllowed])
        var counts = byRoute[route.name] ?? (0, 0)
        defer { byRoute[route.name] = counts }
        switch code {
        case 200..<300:
            ok += 1
            counts.ok += 1
            if json || !route.mayAnswerText, body == nil { fail(uri, code, "a 2xx without a JSON body") }
        case 400..<500:
            clientErrors += 1
            counts.clientErrors += 1
            if !json || (body as? [String: Any])?["error"] as? String == nil { fail(uri, code, "a 4xx without a JSON {\"error\"} body") }
        default:
            fail(uri, code, "neither 2xx nor 4xx")
        }
    }

    private mutating func fail(_ uri: String, _ code: Int, _ what: String) {
        failures.append("\(code) \(what): GET \(uri.prefix(300))")
    }
}
