import Foundation
import Testing

/// `choreo --db FILE` and `choreo --collector URL` are two front ends of one query service: on
/// the same database they must print the same JSON for every command, stuck flows included
/// (the collector's learned stuck limits and terminal types are recorded in the file).
@Suite("--db answers exactly like the API", .serialized, .timeLimit(.minutes(10)))
struct DatabaseEqualsAPIEndToEndTests {
    @Test("flows list, show, map and variants print the same JSON through --db and through the collector")
    func sameAnswers() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        // Terminal types and a short floor: both change how a flow is judged, so --db must know them.
        let pipeline = try await harness.startCollectorAndAgent(collectorFlags: [
            "--terminal-types", "OrderCompleted,OrderCancelled", "--stuck-floor", "1",
        ])
        let (collectorURL, db) = (pipeline.collectorURL, pipeline.db)
        let truthPath = harness.workDir.appendingPathComponent("truth.json").path
        let run = try harness.run(
            "order-fulfilment", ["--orders", "60", "--seed", "9", "--faults", "all", "--truth", truthPath],
            environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": pipeline.agentURL]
        )
        try #require(run.status == 0, "order-fulfilment failed: \(run.stderr)")
        let truth = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: truthPath))) as? [String: Any])
        try await waitForIndex(harness: harness, collectorURL: collectorURL, flows: truth.count)

        var commands: [[String]] = [["flows", "list", "--limit", "1000"], ["flows", "map"], ["flows", "variants"]]
        commands += truth.keys.sorted().map { ["flows", "show", $0] }
        var differences: [String] = []
        var stuck = 0
        for command in commands {
            let api = try harness.run("choreo", command + ["--json", "--collector", collectorURL])
            let file = try harness.run("choreo", command + ["--json", "--db", db])
            try #require(api.status == 0 && file.status == 0, "\(command): \(api.stderr) \(file.stderr)")
            let a = try JSONSerialization.jsonObject(with: api.stdout) as? NSObject
            let b = try JSONSerialization.jsonObject(with: file.stdout) as? NSObject
            if a != b { differences.append(command.joined(separator: " ")) }
            if command[1] == "show", (a as? [String: Any])?["status"] as? String == "stuck" { stuck += 1 }
        }
        #expect(differences.isEmpty, "--db differs from the API for: \(differences.prefix(5))")
        #expect(stuck > 0, "the run has stuck flows (missing subscriber), judged by learned limits")
    }

    /// Waits until the index lists every flow and none is in flight.
    private func waitForIndex(harness: ProcessHarness, collectorURL: String, flows expected: Int) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120)
        var last = ""
        while clock.now < deadline {
            let listed = try harness.run("choreo", ["flows", "list", "--json", "--limit", "10000", "--collector", collectorURL])
            if let flows = try? JSONSerialization.jsonObject(with: listed.stdout) as? [[String: Any]] {
                let settled = flows.filter { $0["status"] as? String != "in_flight" }.count
                if flows.count == expected, settled == expected { return }
                last = "\(flows.count) flows, \(settled) settled"
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("the index did not settle within 120 s (\(last))")
    }
}
