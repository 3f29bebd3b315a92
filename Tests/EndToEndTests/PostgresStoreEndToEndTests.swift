import Foundation
import Testing

/// Issue 14 end to end: a collector keeps its spans and flow index in PostgreSQL (`--store`);
/// order-fulfilment with every fault sends to it; every flow comes out as the truth file says,
/// and `choreo --db postgres://…` reads the same answers straight from the database.
@Suite("Collector on the PostgreSQL store", .serialized, .enabled(if: PostgresE2E.url != nil, PostgresE2E.skipReason), .timeLimit(.minutes(10)))
struct PostgresStoreEndToEndTests {
    @Test("spans in through OTLP, flows out through the API and through choreo --db postgres://, matching the truth")
    func spansInFlowsOut() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let base = try #require(PostgresE2E.url)
        let store = base + (base.contains("?") ? "&" : "?") + "schema=\(PostgresE2E.freshSchema("e2e_store"))"
        let port = try ProcessHarness.freePort()
        let sqlite = harness.workDir.appendingPathComponent("unused.sqlite").path
        try harness.start(
            "choreo-collector",
            ["--listen", "127.0.0.1:\(port)", "--db", sqlite, "--store", store, "--stuck-floor", "1", "--stuck-after", "3"])
        try await ProcessHarness.waitForPort(port)
        let collector = "http://127.0.0.1:\(port)"

        let (truth, _) = try FlowsEndToEndTests.runOrders(harness, collector: collector, orders: 40)
        let statuses = Set(truth.values.map(\.status))
        #expect(statuses.isSuperset(of: ["completed", "compensated", "failed", "stuck"]), "the fault mix lacks a status: \(statuses)")
        try await FlowsEndToEndTests().waitUntilSettled(harness: harness, collector: collector, expected: truth.count)

        for (id, expected) in truth.sorted(by: { $0.key < $1.key }) {
            let shown = try harness.run("choreo", ["flows", "show", id, "--json", "--collector", collector])
            try #require(shown.status == 0, "choreo flows show \(id): \(shown.stderr)")
            let flow = try #require(try JSONSerialization.jsonObject(with: shown.stdout) as? [String: Any])
            #expect(flow["status"] as? String == expected.status, "\(id): status")
            #expect(flow["outcome"] as? String == expected.outcome, "\(id): outcome")
            let types = (flow["steps"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
            #expect(types.sorted() == expected.types.sorted(), "\(id): types")
        }

        // The database holds it all: --db postgres:// answers exactly as the API.
        for command in [["flows", "list", "--limit", "1000"], ["flows", "map"], ["flows", "show", try #require(truth.keys.sorted().first)]] {
            let api = try harness.run("choreo", command + ["--json", "--collector", collector])
            let database = try harness.run("choreo", command + ["--json", "--db", store])
            try #require(api.status == 0 && database.status == 0, "\(command): \(api.stderr) \(database.stderr)")
            let a = try JSONSerialization.jsonObject(with: api.stdout) as? NSObject
            let b = try JSONSerialization.jsonObject(with: database.stdout) as? NSObject
            #expect(a == b, "choreo \(command.joined(separator: " ")) differs between the API and --db \(store)")
        }
        #expect(!FileManager.default.fileExists(atPath: sqlite), "with --store, no SQLite file is created")
    }
}
