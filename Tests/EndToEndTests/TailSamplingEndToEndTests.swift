import Foundation
import Testing

/// Flow-aware tail sampling end to end: one seeded order-fulfilment run with every fault goes
/// (through an OTLP tee, scripts/otlp-tee.py) to an unsampled collector and to one with
/// `--keep-healthy 0.1` at once, so both stores hold the same spans before sampling.
@Suite("Tail sampling (end to end)", .serialized, .timeLimit(.minutes(10)))
struct TailSamplingEndToEndTests {
    static let orders = 300
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(
        "--keep-healthy 0.1: every failed, compensated and stuck flow whole as the truth says; map, variants and p50/p95 equal the unsampled store's; far fewer spans"
    )
    func keepHealthy() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        var ports: [String: Int] = [:]
        var dbs: [String: String] = [:]
        for mode in ["full", "sampled"] {
            let port = try ProcessHarness.freePort()
            let db = harness.workDir.appendingPathComponent("\(mode).sqlite").path
            let sampling = mode == "sampled" ? ["--keep-healthy", "0.1", "--sampling-delay", "3s"] : []
            try harness.start("choreo-collector", ["--listen", "127.0.0.1:\(port)", "--db", db] + sampling, label: "collector-\(mode)")
            try await ProcessHarness.waitForPort(port)
            ports[mode] = port
            dbs[mode] = db
        }
        let full = try #require(ports["full"])
        let sampled = try #require(ports["sampled"])
        let teePort = try ProcessHarness.freePort()
        let tee = Process()
        tee.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tee.arguments = [
            "python3", Self.repository.appendingPathComponent("scripts/otlp-tee.py").path, "\(teePort)", "http://127.0.0.1:\(full)",
            "http://127.0.0.1:\(sampled)",
        ]
        tee.standardOutput = FileHandle.nullDevice
        try tee.run()
        defer { tee.terminate() }
        try await ProcessHarness.waitForPort(teePort)

        let truthPath = harness.workDir.appendingPathComponent("truth.json").path
        let run = try harness.run(
            "order-fulfilment",
            ["--faults", "all", "--orders", "\(Self.orders)", "--seed", "17", "--day", "50ms", "--truth", truthPath],
            environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(teePort)", "CHOREO_TRACER_SHUTDOWN_TIMEOUT": "60000"])
        try #require(run.status == 0, "order-fulfilment failed: \(run.stderr.suffix(2_000))")
        let truth = try PostgresE2E.truth(at: truthPath)
        try #require(truth.count == Self.orders)

        // Every flow settled and decided: the non-completed ones whole as the truth says.
        let unhealthy = truth.filter { $0.value.status != "completed" }
        try #require(unhealthy.count >= 20, "--faults all gives failed, compensated and stuck flows: \(unhealthy.count)")
        let wrong = try await FlowTruthChecks.flowsDiffering(from: unhealthy, collectorPort: sampled)
        #expect(wrong.isEmpty, "\(wrong.count) non-completed flows differ from the truth: \(wrong.prefix(5))")
        try await Self.waitForDecisions(atLeast: truth.count, port: sampled)

        // The index is the same in both stores: map (counts and p50/p95), variants, flow list.
        for path in ["/api/v1/map", "/api/v1/variants", "/api/v1/flows/stats"] {
            let a = AgentOutage.http("GET", port: full, path: path)
            let b = AgentOutage.http("GET", port: sampled, path: path)
            #expect(a.status == 200 && b.status == 200)
            #expect(try Self.canonical(a.body) == Self.canonical(b.body), "\(path) differs:\n\(a.body.prefix(600))\n\(b.body.prefix(600))")
        }

        // Completed flows: kept whole, or sampled out with what the index knows.
        var sampledOut = 0
        for (id, expected) in truth where expected.status == "completed" {
            let answer = AgentOutage.http("GET", port: sampled, path: "/api/v1/flows/\(id)")
            if answer.status == 410 {
                sampledOut += 1
                #expect(answer.body.contains("was sampled out"), "\(answer.body)")
            } else {
                #expect(answer.status == 200, "\(id): \(answer.status) \(answer.body.prefix(200))")
            }
        }
        #expect(sampledOut > 0)

        let fullSpans = try Self.spanCount(try #require(dbs["full"]))
        let sampledSpans = try Self.spanCount(try #require(dbs["sampled"]))
        #expect(sampledSpans * 4 <= fullSpans, "the sampled store holds \(sampledSpans) of \(fullSpans) spans (over 25 %)")
    }

    /// Waits until the collector's sampling counters have decided at least `count` settled flows (120 s at most).
    static func waitForDecisions(atLeast count: Int, port: Int) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120)
        var decided = 0
        while clock.now < deadline {
            let metrics = AgentOutage.http("GET", port: port, path: "/metrics").body
            decided = metrics.split(separator: "\n").filter { $0.hasPrefix("choreo_collector_sampling_flows_total{") && !$0.contains("in_flight") }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0) { $0 + Int($1) }
            if decided >= count { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        Issue.record("only \(decided) of \(count) flows decided within 120 s")
    }

    /// JSON with sorted keys, for comparing two answers.
    static func canonical(_ body: String) throws -> String {
        let value = try JSONSerialization.jsonObject(with: Data(body.utf8))
        return String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Rows of the `spans` table (the sqlite3 shell, read-only).
    static func spanCount(_ db: String) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", "-readonly", db, "SELECT count(*) FROM spans"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try #require(Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}
