import Foundation
import Testing

/// The real `choreo-collector` executable: start-up refusals, flags, metrics at start, SIGTERM.
@Suite("choreo-collector start-up and shutdown", .timeLimit(.minutes(10)))
struct CollectorStartupEndToEndTests {
    @Test("beyond loopback without tokens it refuses to start and names the way out")
    func refusesExposure() throws {
        let harness = try ProcessHarness()
        let port = try ProcessHarness.freePort()
        let db = harness.workDir.appendingPathComponent("c.sqlite").path
        let result = try harness.run("choreo-collector", ["--listen", "0.0.0.0:\(port)", "--db", db])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--insecure"), "\(result.stderr)")
        #expect(result.stderr.contains("--ingest-token-file") && result.stderr.contains("--query-token-file"))
    }

    @Test(
        "bad limit and retention flags are refused with the flag's name",
        arguments: [
            (["--retention", "7x"], "--retention"), (["--retention", "0d"], "--retention"),
            (["--retention-interval", "forever"], "--retention-interval"),
            (["--max-spans-per-request", "0"], "--max-spans-per-request"), (["--max-attribute-length", "3"], "--max-attribute-length"),
            (["--commits-in-flight", "0"], "--commits-in-flight"), (["--commits-in-flight", "17"], "--commits-in-flight"),
        ])
    func refusesBadFlags(flags: [String], named: String) throws {
        let harness = try ProcessHarness()
        let db = harness.workDir.appendingPathComponent("c.sqlite").path
        let result = try harness.run("choreo-collector", ["--listen", "127.0.0.1:\(try ProcessHarness.freePort())", "--db", db] + flags)
        #expect(result.status != 0)
        #expect(result.stderr.contains(named), "\(result.stderr)")
    }

    @Test("with --insecure it starts beyond loopback, exposes every metric at once and exits 0 on SIGTERM")
    func startsAndStops() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let port = try ProcessHarness.freePort()
        let db = harness.workDir.appendingPathComponent("c.sqlite").path
        let process = try harness.start(
            "choreo-collector",
            [
                "--listen", "0.0.0.0:\(port)", "--db", db, "--insecure", "--retention", "7d", "--max-spans-per-request", "100",
            ])
        try await ProcessHarness.waitForPort(port)
        let metrics = try await DashboardHTTP.get("http://127.0.0.1:\(port)/metrics")
        let text = String(decoding: metrics.body, as: UTF8.self)
        for name in [
            "choreo_collector_spans_ingested_total", "choreo_collector_ingest_queue_depth", "choreo_collector_store_size_bytes",
            "choreo_collector_flows{status=\"stuck\"}", "choreo_collector_retention_deleted_spans_total",
            "choreo_collector_rejected_total{reason=\"overloaded\"}", "choreo_collector_truncated_attributes_total",
        ] {
            #expect(text.contains(name), "\(name) exposed at start")
        }
        let ready = try await DashboardHTTP.get("http://127.0.0.1:\(port)/readyz")
        #expect(ready.status == 200)
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(harness.log("choreo-collector"))")
        #expect(harness.log("choreo-collector").contains("retention"), "the start-up log names the retention")
    }
}
