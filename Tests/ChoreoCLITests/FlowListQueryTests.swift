import ChoreoModel
import Testing

@testable import ChoreoCLI

@Suite("FlowListQuery")
struct FlowListQueryTests {
    let now = Fixtures.t0

    @Test("statuses split on commas, repeat, accept dashes and drop duplicates")
    func statuses() throws {
        let query = try FlowListQuery.parse(status: ["completed,failed", "in-flight", "failed"], since: nil, until: nil, limit: nil, now: now)
        #expect(query.statuses == [.completed, .failed, .inFlight])
    }

    @Test("an unknown status is a usage error listing the valid ones")
    func unknownStatus() {
        let error = #expect(throws: CLIError.self) {
            try FlowListQuery.parse(status: ["done"], since: nil, until: nil, limit: nil, now: now)
        }
        #expect(error?.code == .usage)
        #expect(error?.message.contains("in_flight") == true)
    }

    @Test("the query string carries RFC 3339 times and the limit in a fixed order")
    func queryString() throws {
        let query = try FlowListQuery.parse(status: ["completed,failed"], since: "1h", until: "2026-05-01T11:30:00Z", limit: 20, now: now)
        let endpoint = try CollectorEndpoint(url: "http://collector:4320/")
        #expect(
            endpoint.flowsURL(query)
                == "http://collector:4320/api/v1/flows?status=completed,failed&since=2026-05-01T11:00:00.000Z&until=2026-05-01T11:30:00.000Z&limit=20")
    }

    @Test("no filters means no query string")
    func empty() throws {
        let query = try FlowListQuery.parse(status: [], since: nil, until: nil, limit: nil, now: now)
        #expect(try CollectorEndpoint(url: "http://c").flowsURL(query) == "http://c/api/v1/flows")
    }

    @Test("since after until is a usage error")
    func reversed() {
        #expect(throws: CLIError.self) {
            try FlowListQuery.parse(status: [], since: "10m", until: "1h", limit: nil, now: now)
        }
    }

    @Test("limits outside 1...100000 are usage errors", arguments: [0, -3, 100_001])
    func badLimit(limit: Int) {
        let error = #expect(throws: CLIError.self) {
            try FlowListQuery.parse(status: [], since: nil, until: nil, limit: limit, now: now)
        }
        #expect(error?.exitCode == 2)
    }
}
