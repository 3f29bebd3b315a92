import Foundation
import Testing

/// Issue 5's chaos run: order-fulfilment at a steady rate through agent and collector while the
/// collector is SIGKILLed (and restarted 10 s later) and the agent is SIGKILLed once; every span
/// the tracer had acknowledged (its export log) must be stored, and every flow must match the truth.
@Suite("Chaos (end to end)", .serialized, .timeLimit(.minutes(10)))
struct ChaosEndToEndTests {
    struct Truth: Decodable {
        var status: String
        var outcome: String?
        var types: [String]
    }

    @Test("collector and agent killed with SIGKILL mid-run: the spans stored equal the spans the tracer exported")
    func chaos() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let collectorPort = try ProcessHarness.freePort()
        let agentPort = try ProcessHarness.freePort()
        let db = harness.workDir.appendingPathComponent("choreo.sqlite").path
        let collectorArguments = ["--listen", "127.0.0.1:\(collectorPort)", "--db", db]
        let agentArguments = [
            "--listen", "127.0.0.1:\(agentPort)", "--collector", "http://127.0.0.1:\(collectorPort)",
            "--spool-dir", harness.workDir.appendingPathComponent("spool").path, "--batch-delay-ms", "50",
        ]
        var collector = try harness.start("choreo-collector", collectorArguments)
        try await ProcessHarness.waitForPort(collectorPort)
        var agent = try harness.start("choreo-agent", agentArguments)
        try await ProcessHarness.waitForPort(agentPort)

        let exportLog = harness.workDir.appendingPathComponent("exported.txt").path
        let truthPath = harness.workDir.appendingPathComponent("truth.json").path
        let orders = 1000
        let clock = ContinuousClock()
        let started = clock.now
        let demo = try harness.start(
            "order-fulfilment",
            ["--orders", "\(orders)", "--concurrency", "20", "--seed", "5", "--day", "450ms", "--truth", truthPath],
            environment: [
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(agentPort)", "CHOREO_TRACER_EXPORT_LOG": exportLog,
                "CHOREO_TRACER_SHUTDOWN_TIMEOUT": "60000",
            ]
        )

        try await Task.sleep(until: started + .seconds(2), clock: clock)
        kill(collector.processIdentifier, SIGKILL)
        collector.waitUntilExit()
        try await Task.sleep(until: started + .seconds(12), clock: clock)
        collector = try harness.start("choreo-collector", collectorArguments)
        try await ProcessHarness.waitForPort(collectorPort)
        try await Task.sleep(until: started + .seconds(15), clock: clock)
        let runningAtAgentKill = demo.isRunning
        kill(agent.processIdentifier, SIGKILL)
        agent.waitUntilExit()
        agent = try harness.start("choreo-agent", agentArguments)
        try await ProcessHarness.waitForPort(agentPort)

        while demo.isRunning { try await Task.sleep(for: .milliseconds(200)) }
        let runTime = clock.now - started
        try #require(demo.terminationStatus == 0, "order-fulfilment failed: \(harness.log("order-fulfilment"))")
        #expect(runningAtAgentKill, "order-fulfilment ended (after \(runTime)) before the agent was killed")

        // The tracer's acknowledged spans, by trace.
        let exported = try Chaos.exportedSpans(exportLog)
        let exportedCount = exported.values.reduce(0) { $0 + $1.count }
        try #require(exportedCount > 10 * orders, "the export log holds only \(exportedCount) spans")

        try await Chaos.waitUntilAgentDrained(agentPort: agentPort)
        var pending = exported
        var extra: [String: Set<String>] = [:]
        let deadline = clock.now + .seconds(60)
        while !pending.isEmpty, clock.now < deadline {
            pending = pending.filter { trace, spans in
                let stored = AgentOutage.storedSpanIDs(collectorPort: collectorPort, traceID: trace)
                if stored.isSuperset(of: spans) {
                    if stored != spans { extra[trace] = stored.subtracting(spans) }
                    return false
                }
                return true
            }
            if !pending.isEmpty { try await Task.sleep(for: .seconds(1)) }
        }
        let lost = pending.reduce(0) { total, entry in
            total + entry.value.subtracting(AgentOutage.storedSpanIDs(collectorPort: collectorPort, traceID: entry.key)).count
        }
        print(
            "chaos: \(exportedCount) spans exported in \(exported.count) traces; lost \(lost); "
                + "stored but not logged \(extra.values.reduce(0) { $0 + $1.count }); run \(runTime), total \(clock.now - started)")
        #expect(lost == 0, "\(lost) exported spans not stored (traces \(pending.keys.prefix(5))); agent log: \(harness.log("choreo-agent"))")
        #expect(extra.isEmpty, "spans stored that the tracer did not log as exported: \(extra.prefix(3))")

        // Every flow as the truth says.
        let truth = try JSONDecoder().decode([String: Truth].self, from: Data(contentsOf: URL(fileURLWithPath: truthPath)))
        #expect(truth.count == orders)
        var wrong: [String] = []
        for (correlationID, expected) in truth.sorted(by: { $0.key < $1.key }) {
            let answer = AgentOutage.http("GET", port: collectorPort, path: "/api/v1/flows/\(correlationID)")
            guard answer.status == 200, let flow = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
                let steps = flow["steps"] as? [[String: Any]]
            else {
                wrong.append("\(correlationID): HTTP \(answer.status)")
                continue
            }
            let types = steps.compactMap { $0["type"] as? String }.sorted()
            if flow["status"] as? String != expected.status || flow["outcome"] as? String != expected.outcome
                || types != expected.types.sorted()
            {
                wrong.append("\(correlationID): \(flow["status"] ?? "-")/\(flow["outcome"] ?? "-") \(types)")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) flows differ from the truth: \(wrong.prefix(5))")
    }
}

/// Helpers of the chaos test.
enum Chaos {
    /// The export log's span ids by trace id.
    static func exportedSpans(_ path: String) throws -> [String: Set<String>] {
        var byTrace: [String: Set<String>] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, parts[0].count == 32, parts[1].count == 16 else {
                Issue.record("malformed export log line: \(line)")
                continue
            }
            byTrace[String(parts[0]), default: []].insert(String(parts[1]))
        }
        return byTrace
    }

    /// Polls the agent's metrics until its queue is empty and its spool size has stopped
    /// changing for a second (the spool keeps its files, so it need not reach zero); at most 60 s.
    static func waitUntilAgentDrained(agentPort: Int) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var last = ""
        var previous: Double?
        var stable = 0
        while clock.now < deadline {
            let metrics = AgentOutage.http("GET", port: agentPort, path: "/metrics").body
            let queued = AgentOutage.metric("choreo_agent_queue_depth", in: metrics)
            let spooled = AgentOutage.metric("choreo_agent_spooled_bytes", in: metrics)
            stable = queued == 0 && spooled != nil && spooled == previous ? stable + 1 : 0
            if stable >= 5 { return }
            previous = spooled
            last = "queue \(queued.map { "\($0)" } ?? "?"), spooled \(spooled.map { "\($0)" } ?? "?")"
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("the agent did not drain within 60 s (\(last))")
    }
}
