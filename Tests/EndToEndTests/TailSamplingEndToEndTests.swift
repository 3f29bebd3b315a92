import ChoreoTestSupport
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
        "--keep-healthy 0.1: every failed, compensated and stuck flow whole as the truth says; variants, flow counts and map counts equal the unsampled store's, p50/p95 within the skew estimate's drift; each flow's spans all kept, or only its error spans"
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
        // Started by the harness: stopped with the collectors on every path out of the test.
        try harness.startProgram(
            at: "/usr/bin/env",
            [
                "python3", Self.repository.appendingPathComponent("scripts/otlp-tee.py").path, "\(teePort)", "http://127.0.0.1:\(full)",
                "http://127.0.0.1:\(sampled)",
            ],
            label: "otlp-tee")
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
        // Every span both stores hold came before the last decision: once an index pass has
        // begun since then in each, both indexes hold all of them.
        let decidedAt = ContinuousClock.now
        for port in [full, sampled] { try await Self.waitForIndexPass(after: decidedAt, port: port) }

        // The index is the same in both stores: variants, flow counts, the map's nodes and
        // edge counts. Transition times agree within the drift of the clock-skew estimate: a
        // trail's times are corrected with the offsets estimated when the flow was last indexed,
        // and the sampled store indexes each flow once more when it decides it (README, tail
        // sampling), so the same publish can be corrected by a few microseconds more or less.
        for path in ["/api/v1/variants", "/api/v1/flows/stats"] {
            let a = AgentOutage.http("GET", port: full, path: path)
            let b = AgentOutage.http("GET", port: sampled, path: path)
            #expect(a.status == 200 && b.status == 200)
            #expect(try Self.canonical(a.body) == Self.canonical(b.body), "\(path) differs:\n\(a.body.prefix(600))\n\(b.body.prefix(600))")
        }
        let mapA = try Self.map(AgentOutage.http("GET", port: full, path: "/api/v1/map").body)
        let mapB = try Self.map(AgentOutage.http("GET", port: sampled, path: "/api/v1/map").body)
        #expect(mapA.nodes == mapB.nodes, "map nodes differ: \(mapA.nodes) vs \(mapB.nodes)")
        #expect(mapA.edges.keys.sorted() == mapB.edges.keys.sorted(), "map edges differ")
        for (edge, a) in mapA.edges {
            guard let b = mapB.edges[edge] else { continue }
            #expect(a.count == b.count, "\(edge): \(a.count) vs \(b.count) transitions")
            for (name, x, y) in [("p50", a.p50, b.p50), ("p95", a.p95, b.p95)] {
                #expect(abs(x - y) <= max(0.25, 0.1 * max(x, y)), "\(edge) \(name): \(x) ms unsampled vs \(y) ms sampled")
            }
        }

        // Per flow: every span the unsampled store has is kept (answer 200), or only its error
        // spans are (410, with what the index knows). Only completed flows may go.
        let fullCounts = try Self.spansByFlow(try #require(dbs["full"]))
        let sampledCounts = try Self.spansByFlow(try #require(dbs["sampled"]))
        try #require(Set(fullCounts.keys) == Set(truth.keys), "the unsampled store holds spans of \(fullCounts.count) flows, not the \(truth.count) placed")
        var sampledOut: [String] = []
        var wrongSpans: [String] = []
        for (id, expected) in truth {
            let all = fullCounts[id] ?? (0, 0)
            let kept = sampledCounts[id] ?? (0, 0)
            let answer = AgentOutage.http("GET", port: sampled, path: "/api/v1/flows/\(id)")
            if answer.status == 410 {
                sampledOut.append(id)
                #expect(expected.status == "completed", "\(id) (\(expected.status)) was sampled out")
                #expect(answer.body.contains("was sampled out"), "\(id): \(answer.body.prefix(200))")
                if kept.spans != all.errors || kept.errors != all.errors { wrongSpans.append("\(id) sampled out: \(kept) of \(all) (spans, errors)") }
            } else {
                #expect(answer.status == 200, "\(id): \(answer.status) \(answer.body.prefix(200))")
                if kept.spans != all.spans { wrongSpans.append("\(id) kept: \(kept.spans) of \(all.spans) spans") }
            }
        }
        #expect(wrongSpans.isEmpty, "flows whose spans are neither all kept nor only their error spans: \(wrongSpans.prefix(5))")
        let retriedOut = sampledOut.filter { (fullCounts[$0]?.errors ?? 0) > 0 }.count
        #expect(retriedOut > 0, "a completed flow with a retried delivery is healthy: some were sampled out, keeping their error spans")
        // Sampling did sample: at 0.1, most of the healthy flows that are not slow or deviating go.
        let completed = truth.values.filter { $0.status == "completed" }.count
        #expect(sampledOut.count * 4 >= completed, "only \(sampledOut.count) of \(completed) completed flows sampled out")
    }

    /// Waits until the collector's sampling counters have decided at least `count` settled flows (120 s at most).
    static func waitForDecisions(atLeast count: Int, port: Int) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120)
        var decided = 0
        while clock.now < deadline {
            let metrics = Exposition(AgentOutage.http("GET", port: port, path: "/metrics").body)
            decided = Int(
                metrics.samples.filter { $0.key.hasPrefix("choreo_collector_sampling_flows_total{") && !$0.key.contains("in_flight") }.values
                    .reduce(0, +))
            if decided >= count { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        Issue.record("only \(decided) of \(count) flows decided within 120 s")
    }

    /// Waits until the collector at `port` reports an index pass that began after `instant`
    /// (`choreo_collector_index_lag_seconds` below the time since; 60 s at most).
    static func waitForIndexPass(after instant: ContinuousClock.Instant, port: Int) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var lag = Double.infinity
        while clock.now < deadline {
            let since = instant.duration(to: clock.now)
            lag = Exposition(AgentOutage.http("GET", port: port, path: "/metrics").body)["choreo_collector_index_lag_seconds"] ?? .infinity
            if lag < Double(since.components.seconds) + Double(since.components.attoseconds) / 1e18 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("the collector on \(port) began no index pass within 60 s (lag \(lag) s)")
    }

    /// A process map answer: node counts by type, and per edge its count, p50 and p95 (ms).
    static func map(_ body: String) throws -> (nodes: [String: Int], edges: [String: (count: Int, p50: Double, p95: Double)]) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "map: \(body.prefix(300))")
        var nodes: [String: Int] = [:]
        for node in object["nodes"] as? [[String: Any]] ?? [] {
            nodes[node["type"] as? String ?? "?"] = node["count"] as? Int ?? -1
        }
        var edges: [String: (count: Int, p50: Double, p95: Double)] = [:]
        for edge in object["edges"] as? [[String: Any]] ?? [] {
            let key = "\(edge["from"] as? String ?? "?")->\(edge["to"] as? String ?? "?")"
            edges[key] = (edge["count"] as? Int ?? -1, edge["p50_ms"] as? Double ?? -1, edge["p95_ms"] as? Double ?? -1)
        }
        return (nodes, edges)
    }

    /// JSON with sorted keys, for comparing two answers.
    static func canonical(_ body: String) throws -> String {
        let value = try JSONSerialization.jsonObject(with: Data(body.utf8))
        return String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Rows of the `spans` table per correlation id, and how many of them have an error status
    /// (the sqlite3 shell, read-only); spans of no flow under "".
    static func spansByFlow(_ db: String) throws -> [String: (spans: Int, errors: Int)] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "sqlite3", "-readonly", "-separator", "\t", db,
            "SELECT coalesce(correlation_id, ''), count(*), sum(status = 'error') FROM spans GROUP BY 1",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "sqlite3 failed on \(db)")
        var counts: [String: (spans: Int, errors: Int)] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3, let spans = Int(fields[1]), let errors = Int(fields[2]) else { continue }
            counts[String(fields[0])] = (spans, errors)
        }
        return counts
    }
}
