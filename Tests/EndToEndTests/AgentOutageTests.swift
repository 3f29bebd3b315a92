import Foundation
import Testing

/// Issue 5, "never lose a span": the agent's disk spool across a long collector outage and a
/// SIGKILL, and the tracer's bounded shutdown, with the real executables.
@Suite("Agent outage (end to end)", .serialized, .timeLimit(.minutes(10)))
struct AgentOutageTests {
    /// The agent's memory bound while the collector is away (RSS).
    static let rssBoundKiB = 64 * 1024

    @Test("the collector is down for 60 s under load: nothing is lost and the agent's memory stays bounded")
    func longOutage() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let collectorPort = try ProcessHarness.freePort()
        let agentPort = try ProcessHarness.freePort()
        let spool = harness.workDir.appendingPathComponent("spool").path
        let agent = try harness.start(
            "choreo-agent",
            [
                "--listen", "127.0.0.1:\(agentPort)", "--collector", "http://127.0.0.1:\(collectorPort)/v1/traces",
                "--spool-dir", spool, "--batch-delay-ms", "50",
            ])
        try await ProcessHarness.waitForPort(agentPort)

        // 10 requests of 200 spans per second for 60 s, with no collector listening.
        let run = UInt32.random(in: 1...UInt32.max)
        let spansPerRequest = 200
        let clock = ContinuousClock()
        let start = clock.now
        var acknowledged: [Int] = []
        var unacknowledged: [Int] = []
        var peakRSS = 0
        var spooledBytes = 0.0
        var n = 0
        while clock.now < start + .seconds(60) {
            let body = AgentOutage.request(run: run, request: n, spans: spansPerRequest)
            let answer = AgentOutage.http("POST", port: agentPort, path: "/v1/traces", body: body)
            if answer.status == 200 { acknowledged.append(n) } else { unacknowledged.append(n) }
            if n % 10 == 0 {
                peakRSS = max(peakRSS, AgentOutage.memoryKiB(pid: agent.processIdentifier) ?? 0)
                let metrics = AgentOutage.http("GET", port: agentPort, path: "/metrics")
                spooledBytes = AgentOutage.metric("choreo_agent_spooled_bytes", in: metrics.body) ?? spooledBytes
            }
            n += 1
            try await Task.sleep(until: start + .milliseconds(100 * n), clock: clock)
        }
        #expect(unacknowledged.isEmpty, "the agent refused \(unacknowledged.count) requests during the outage")
        #expect(acknowledged.count >= 500)
        #expect(peakRSS > 0 && peakRSS < Self.rssBoundKiB, "agent RSS peaked at \(peakRSS) KiB during the outage")
        #expect(spooledBytes > 0, "the spool held the spans (choreo_agent_spooled_bytes)")

        let db = harness.workDir.appendingPathComponent("choreo.sqlite").path
        try harness.start("choreo-collector", ["--listen", "127.0.0.1:\(collectorPort)", "--db", db])
        try await ProcessHarness.waitForPort(collectorPort)
        let missing = try await waitForAll(acknowledged, run: run, spans: spansPerRequest, collectorPort: collectorPort)
        #expect(missing.isEmpty, "\(missing.count) of \(acknowledged.count) traces incomplete; agent log: \(harness.log("choreo-agent"))")
    }

    @Test("the agent is killed with SIGKILL mid-stream and restarted on its spool: every acknowledged span arrives")
    func sigkill() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let collectorPort = try ProcessHarness.freePort()
        let agentPort = try ProcessHarness.freePort()
        let spool = harness.workDir.appendingPathComponent("spool").path
        let db = harness.workDir.appendingPathComponent("choreo.sqlite").path
        let agentArguments = [
            "--listen", "127.0.0.1:\(agentPort)", "--collector", "http://127.0.0.1:\(collectorPort)", "--spool-dir", spool,
            "--batch-delay-ms", "20",
        ]
        try harness.start("choreo-collector", ["--listen", "127.0.0.1:\(collectorPort)", "--db", db])
        try await ProcessHarness.waitForPort(collectorPort)
        var agent = try harness.start("choreo-agent", agentArguments)
        try await ProcessHarness.waitForPort(agentPort)

        let run = UInt32.random(in: 1...UInt32.max)
        var acknowledged: [Int] = []
        var refused = 0
        for n in 0..<300 {
            if n == 100 {
                // Mid-stream: kill -9, then restart on the same spool while the sender goes on.
                kill(agent.processIdentifier, SIGKILL)
                agent.waitUntilExit()
            }
            if n == 120 {
                agent = try harness.start("choreo-agent", agentArguments)
                try await ProcessHarness.waitForPort(agentPort)
            }
            let answer = AgentOutage.http("POST", port: agentPort, path: "/v1/traces", body: AgentOutage.request(run: run, request: n, spans: 50))
            if answer.status == 200 { acknowledged.append(n) } else { refused += 1 }
        }
        #expect(refused >= 20, "requests while the agent was dead were not acknowledged")
        #expect(acknowledged.count >= 250)
        let missing = try await waitForAll(acknowledged, run: run, spans: 50, collectorPort: collectorPort)
        #expect(missing.isEmpty, "\(missing.count) acknowledged traces incomplete: \(missing.prefix(10)); agent log: \(harness.log("choreo-agent"))")
    }

    @Test("with no agent running, order-fulfilment exits within the tracer's shutdown deadline")
    func tracerShutdownDeadline() throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let nobody = try ProcessHarness.freePort()
        let clock = ContinuousClock()
        let started = clock.now
        let demo = try harness.run(
            "order-fulfilment", ["--orders", "20", "--seed", "3"],
            environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(nobody)", "CHOREO_TRACER_SHUTDOWN_TIMEOUT": "2000"]
        )
        let elapsed = clock.now - started
        #expect(demo.status == 0, "order-fulfilment failed: \(demo.stderr.suffix(1000))")
        // Before the deadline it took ~72 s (every batch ran its full retry sequence at shutdown).
        #expect(elapsed < .seconds(20), "order-fulfilment took \(elapsed) to exit with the agent down")
    }

    @Test("the agent is down for the first 20 s of an order-fulfilment run (longer than the exporter's own retries): nothing is lost")
    func agentLateStart() async throws {
        struct Truth: Decodable {
            var status: String
            var types: [String]
        }
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let collectorPort = try ProcessHarness.freePort()
        let agentPort = try ProcessHarness.freePort()
        let collectorURL = "http://127.0.0.1:\(collectorPort)"
        try harness.start("choreo-collector", ["--listen", "127.0.0.1:\(collectorPort)", "--db", harness.workDir.appendingPathComponent("c.sqlite").path])
        try await ProcessHarness.waitForPort(collectorPort)

        // A declined card waits 7 business days (7 × 4 s): the run lasts ~30 s, and spans are
        // produced before, during and after the agent's absence. The exporter's own retries
        // give up after ~15 s; the processor must keep those batches.
        let truthPath = harness.workDir.appendingPathComponent("truth.json").path
        let demo = try harness.start(
            "order-fulfilment", ["--orders", "12", "--seed", "5", "--scenario", "declined", "--day", "4s", "--truth", truthPath],
            environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(agentPort)"]
        )
        try await Task.sleep(for: .seconds(20))
        try harness.start(
            "choreo-agent",
            [
                "--listen", "127.0.0.1:\(agentPort)", "--collector", collectorURL, "--batch-delay-ms", "50",
                "--spool-dir", harness.workDir.appendingPathComponent("spool").path,
            ])
        try await ProcessHarness.waitForPort(agentPort)
        #expect(demo.isRunning, "the run outlasts the agent's absence")
        while demo.isRunning { try await Task.sleep(for: .milliseconds(200)) }
        try #require(demo.terminationStatus == 0, "order-fulfilment failed: \(harness.log("order-fulfilment"))")
        let truth = try JSONDecoder().decode([String: Truth].self, from: Data(contentsOf: URL(fileURLWithPath: truthPath)))
        #expect(truth.count == 12)

        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var pending = Array(truth.keys)
        while !pending.isEmpty, clock.now < deadline {
            pending = try pending.filter { id in
                let shown = try harness.run("choreo", ["flows", "show", id, "--json", "--collector", collectorURL])
                guard shown.status == 0, let flow = try JSONSerialization.jsonObject(with: shown.stdout) as? [String: Any],
                    let steps = flow["steps"] as? [[String: Any]]
                else { return true }
                let types = steps.compactMap { $0["type"] as? String }.sorted()
                return types != truth[id]!.types.sorted() || flow["status"] as? String != truth[id]!.status
            }
            if !pending.isEmpty { try await Task.sleep(for: .seconds(1)) }
        }
        #expect(pending.isEmpty, "flows missing spans: \(pending); order-fulfilment log: \(harness.log("order-fulfilment"))")
    }

    /// Polls the collector until every request's trace holds exactly its spans; returns the
    /// requests still incomplete after 90 s.
    private func waitForAll(_ requests: [Int], run: UInt32, spans: Int, collectorPort: Int) async throws -> [Int] {
        var pending = requests
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(90)
        while !pending.isEmpty, clock.now < deadline {
            pending = pending.filter { n in
                let stored = AgentOutage.storedSpanIDs(collectorPort: collectorPort, traceID: AgentOutage.traceID(run: run, request: n))
                return stored != Set(AgentOutage.spanIDs(request: n, spans: spans))
            }
            if !pending.isEmpty { try await Task.sleep(for: .seconds(1)) }
        }
        return pending
    }
}
