import Foundation
import Testing

/// Trace context crosses real process boundaries: every service in its own process on the
/// PostgreSQL bus, spans through choreo-agent into choreo-collector, and every flow the
/// collector rebuilds matches the truth the services journaled, with every path and the
/// per-order faults (transient, poison, duplicate) mixed in.
@Suite("Reconstruction across processes on PostgreSQL", .serialized, .enabled(if: PostgresE2E.url != nil, PostgresE2E.skipReason), .timeLimit(.minutes(10)))
struct PostgresReconstructionTests {
    @Test("flows rebuilt from the spans of separate service processes match the truth, per-order faults on", arguments: ["commanded", "chain"])
    func reconstruction(style: String) async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let processes = OrderFulfilmentProcesses(harness: harness)
        defer { processes.stopAll() }
        let collectorPort = try ProcessHarness.freePort()
        let agentPort = try ProcessHarness.freePort()
        let collectorURL = "http://127.0.0.1:\(collectorPort)"
        let db = harness.workDir.appendingPathComponent("choreo.sqlite").path
        try harness.start("choreo-collector", ["--listen", "127.0.0.1:\(collectorPort)", "--db", db])
        try await ProcessHarness.waitForPort(collectorPort)
        try harness.start("choreo-agent", ["--listen", "127.0.0.1:\(agentPort)", "--collector", collectorURL, "--batch-delay-ms", "50"])
        try await ProcessHarness.waitForPort(agentPort)

        let truthPath = harness.workDir.appendingPathComponent("truth.json").path
        setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:\(agentPort)", 1)
        defer { unsetenv("OTEL_EXPORTER_OTLP_ENDPOINT") }
        try processes.start(
            "driver",
            [
                "--bus", try #require(PostgresE2E.url), "--schema", PostgresE2E.freshSchema("recon"), "--processes",
                "--style", style, "--faults", "transient,poison,duplicate", "--orders", "40", "--seed", "11", "--day", "200ms", "--truth", truthPath,
            ])
        let status = try await processes.waitForExit("driver", limit: .seconds(150))
        try #require(status == 0, "order-fulfilment --processes failed: \(processes.log("driver").suffix(2_000))")
        let truth = try PostgresE2E.truth(at: truthPath)
        #expect(truth.count == 40)
        #expect(Set(truth.values.map(\.status)).isSuperset(of: ["completed", "compensated"]))

        // Wait until the collector holds every flow, none in flight (safety limit, not a timing assertion).
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while clock.now < deadline {
            let listed = try harness.run("choreo", ["flows", "list", "--json", "--limit", "10000", "--collector", collectorURL])
            if listed.status == 0, let flows = try? JSONSerialization.jsonObject(with: listed.stdout) as? [[String: Any]],
                flows.count >= truth.count, flows.allSatisfy({ $0["status"] as? String != "in_flight" })
            {
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        for (correlationID, expected) in truth.sorted(by: { $0.key < $1.key }) {
            let shown = try harness.run("choreo", ["flows", "show", correlationID, "--json", "--collector", collectorURL])
            try #require(shown.status == 0, "choreo flows show \(correlationID) failed: \(shown.stderr)")
            let flow = try #require(try JSONSerialization.jsonObject(with: shown.stdout) as? [String: Any])
            #expect(flow["status"] as? String == expected.status, "\(correlationID): status")
            let steps = try #require(flow["steps"] as? [[String: Any]])
            #expect(steps.compactMap { $0["type"] as? String }.sorted() == expected.types.sorted(), "\(correlationID): message types")
        }
    }
}
