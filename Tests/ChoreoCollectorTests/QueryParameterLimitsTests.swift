import ChoreoCollector
import ChoreoModel
import ChoreoStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Times past what a store holds, offsets out of range and over-long filter lists are 400s with
/// a JSON reason; the largest valid values are accepted.
@Suite("Query parameter limits")
struct QueryParameterLimitsTests {
    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var error: String?
        var bodyBytes: Int
    }

    func get(_ uris: [String]) async throws -> [Answer] {
        let harness = Fixtures.collector()
        try await harness.store.append(Fixtures.compensatedOrder("order-1", trace: TraceID(high: 1, low: 1)))
        return try await harness.application.test(.router) { client in
            var answers: [Answer] = []
            for uri in uris {
                answers.append(
                    try await client.execute(uri: uri, method: .get) { response in
                        let json = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                        return Answer(status: response.status, error: json?["error"] as? String, bodyBytes: response.body.readableBytes)
                    })
            }
            return answers
        }
    }

    @Test(
        "since and until past 2262 (RFC 3339 of any year, or nanoseconds past Int64) are 400s naming year 2262",
        arguments: [
            "/api/v1/flows?since=2600-01-01T00:00:00Z", "/api/v1/flows?until=9999-12-31T23:59:59Z",
            "/api/v1/flows?since=18446744073709551615", "/api/v1/flows?since=99999999999999999999",
            "/api/v1/flows?since=9223372036854775808", "/api/v1/flows/stats?since=2554-07-21T23:34:34Z",
            "/api/v1/map?until=2262-04-11T23:47:16.854775808Z", "/api/v1/variants?since=2300-01-01T00:00:00Z",
            "/api/v1/map/export?format=xes&since=2600-01-01T00:00:00Z", "/api/v1/traces?since=2600-01-01T00:00:00Z",
            "/api/v1/traces?until=18446744073709551615",
        ])
    func tooLate(uri: String) async throws {
        let answer = try #require(try await get([uri]).first)
        #expect(answer.status == .badRequest)
        #expect(answer.error?.contains("after 2262-04-11T23:47:16Z (year 2262)") == true, "\(answer.error ?? "no JSON error")")
    }

    @Test("the latest storable time is accepted, as RFC 3339 and as nanoseconds")
    func latest() async throws {
        let answers = try await get([
            "/api/v1/flows?since=9223372036854775807", "/api/v1/flows?until=2262-04-11T23:47:16.854775807Z",
            "/api/v1/traces?since=0&until=9223372036854775807",
        ])
        #expect(answers.map(\.status) == [.ok, .ok, .ok])
    }

    @Test(
        "offsets and fields out of range are 400s with the reason",
        arguments: [
            ("/api/v1/flows?since=2026-01-01T00:00:00%2B99:99", "the offset +99:99 is out of range (hours 00-23, minutes 00-59)"),
            ("/api/v1/traces?until=2026-01-01T00:00:00-24:00", "the offset -24:00 is out of range"),
            ("/api/v1/flows?until=2026-02-30T00:00:00Z", "day 30 is out of range"),
            ("/api/v1/flows?since=0000-01-01T00:00:00Z", "before 1970"),
        ])
    func outOfRange(uri: String, reason: String) async throws {
        let answer = try #require(try await get([uri]).first)
        #expect(answer.status == .badRequest)
        #expect(answer.error?.contains(reason) == true, "\(answer.error ?? "no JSON error")")
    }

    @Test(
        "a filter list of more than 100 values is a 400 naming the limit; 100 values are fine",
        arguments: [
            ("/api/v1/flows", "status", "completed"), ("/api/v1/flows", "type", "T"), ("/api/v1/flows/stats", "service", "s"),
            ("/api/v1/map", "type", "T"), ("/api/v1/variants", "service", "s"), ("/api/v1/map/export", "status", "failed"),
            ("/api/v1/traces", "attribute", "k=v"),
        ])
    func listLimit(path: String, name: String, value: String) async throws {
        let values = { (n: Int) in (0..<n).map { i in name == "status" ? value : "\(value)\(i)" } }
        let commaList = name == "attribute" ? nil : "\(path)?\(name)=" + values(101).joined(separator: ",")
        let repeated = "\(path)?" + values(101).map { "\(name)=\($0)" }.joined(separator: "&")
        let hundred = "\(path)?" + values(100).map { "\(name)=\($0)" }.joined(separator: "&")
        let answers = try await get([commaList, repeated, hundred].compactMap { $0 })
        for refused in answers.dropLast() {
            #expect(refused.status == .badRequest)
            #expect(refused.error?.contains("at most 100") == true, "\(refused.error ?? "no JSON error")")
        }
        #expect(answers.last?.status == .ok)
    }

    @Test("a huge rejected value is quoted back cut short, so an error body stays small")
    func quotedShort() async throws {
        let long = String(repeating: "x", count: 100_000)
        let answers = try await get(["/api/v1/flows?since=\(long)", "/api/v1/flows/\(long)", "/api/v1/traces/\(long)"])
        #expect(answers.map(\.status) == [.badRequest, .notFound, .badRequest])
        #expect(answers.allSatisfy { $0.bodyBytes < 1_000 }, "\(answers.map(\.bodyBytes))")
    }
}
