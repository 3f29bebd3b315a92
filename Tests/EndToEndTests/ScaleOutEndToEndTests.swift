import Foundation
import Testing

/// Several collectors on one PostgreSQL store: 3 collectors, 2 agents that each know all 3 (with
/// spools), two order-fulfilment runs with every fault (one trace per flow, and a new trace per
/// step); one collector is SIGKILLed mid-run and started again. Every span the tracers exported
/// is stored exactly once, and every collector answers every flow as the truth says.
@Suite("Scale-out: 3 collectors on one PostgreSQL", .serialized, .enabled(if: PostgresE2E.url != nil, PostgresE2E.skipReason), .timeLimit(.minutes(10)))
struct ScaleOutEndToEndTests {
    static let ordersPerRun = 1000

    @Test("a collector SIGKILLed mid-run: every exported span stored once, every flow as the truth through each collector")
    func threeCollectors() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let base = try #require(PostgresE2E.url)
        let schema = PostgresE2E.freshSchema("scale")
        let store = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
        let ports = try (0..<3).map { _ in try ProcessHarness.freePort() }
        func startCollector(_ index: Int) throws -> Process {
            try harness.start("choreo-collector", ["--listen", "127.0.0.1:\(ports[index])", "--store", store], label: "collector\(index)")
        }
        var collectors = try (0..<3).map(startCollector)
        for port in ports { try await ProcessHarness.waitForPort(port, timeout: .seconds(60)) }
        let agentPorts = try (0..<2).map { _ in try ProcessHarness.freePort() }
        for (index, port) in agentPorts.enumerated() {
            try harness.start(
                "choreo-agent",
                ["--listen", "127.0.0.1:\(port)", "--batch-delay-ms", "50", "--spool-dir", harness.workDir.appendingPathComponent("spool\(index)").path]
                    + ports.flatMap { ["--collector", "http://127.0.0.1:\($0)"] },
                label: "agent\(index)")
            try await ProcessHarness.waitForPort(port)
        }

        let modes = ["child", "new-trace"]
        let runs = try modes.enumerated().map { index, mode in
            try harness.start(
                "order-fulfilment",
                [
                    "--faults", "all", "--orders", "\(Self.ordersPerRun)", "--concurrency", "50", "--seed", "\(21 + index)", "--day", "300ms",
                    "--trace-mode", mode, "--truth", harness.workDir.appendingPathComponent("truth\(index).json").path,
                ],
                environment: [
                    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(agentPorts[index])",
                    "CHOREO_TRACER_EXPORT_LOG": harness.workDir.appendingPathComponent("exported\(index).txt").path,
                    "CHOREO_TRACER_SHUTDOWN_TIMEOUT": "60000",
                ],
                label: "run\(index)")
        }

        // Mid-run: collector 1 has stored part of the spans (its flows list answers with some).
        try await FlowTruthChecks.waitForFlows(atLeast: 200, collectorPort: ports[1], while: runs[0])
        let runningAtKill = runs.allSatisfy(\.isRunning)
        kill(collectors[1].processIdentifier, SIGKILL)
        collectors[1].waitUntilExit()
        // The outage of the scenario: the collector stays dead 5 s, as in the acceptance check.
        try await Task.sleep(for: .seconds(5))
        collectors[1] = try startCollector(1)
        try await ProcessHarness.waitForPort(ports[1], timeout: .seconds(60))

        for (index, run) in runs.enumerated() {
            while run.isRunning { try await Task.sleep(for: .milliseconds(200)) }
            try #require(run.terminationStatus == 0, "run \(index) failed: \(harness.log("run\(index)"))")
        }
        #expect(runningAtKill, "both runs were still going when the collector was killed")
        for port in agentPorts { try await Chaos.waitUntilAgentDrained(agentPort: port) }

        // Every exported span stored exactly once.
        var exported: Set<String> = []
        for index in modes.indices {
            for (trace, spans) in try Chaos.exportedSpans(harness.workDir.appendingPathComponent("exported\(index).txt").path) {
                for span in spans { exported.insert("\(trace) \(span)") }
            }
        }
        try #require(exported.count > 10 * 2 * Self.ordersPerRun, "the export logs hold only \(exported.count) spans")
        let rows = try Self.psql(
            base, "SELECT encode(trace_id, 'hex') || ' ' || encode(span_id, 'hex') FROM \(schema).spans")
        let stored = Set(rows)
        #expect(rows.count == stored.count, "\(rows.count - stored.count) spans stored more than once")
        let lost = exported.subtracting(stored)
        #expect(lost.isEmpty, "\(lost.count) exported spans not stored: \(lost.prefix(3))")
        #expect(stored.subtracting(exported).isEmpty, "spans stored that no tracer exported")

        // Every flow as the truth, through each collector.
        var truth: [String: PostgresE2E.Flow] = [:]
        for index in modes.indices {
            truth.merge(try PostgresE2E.truth(at: harness.workDir.appendingPathComponent("truth\(index).json").path)) { $1 }
        }
        #expect(truth.count == 2 * Self.ordersPerRun)
        for (index, port) in ports.enumerated() {
            let wrong = try await FlowTruthChecks.flowsDiffering(from: truth, collectorPort: port)
            #expect(wrong.isEmpty, "collector \(index): \(wrong.count) flows differ from the truth: \(wrong.prefix(5))")
        }
    }

    /// The rows `psql` prints for `query` (unaligned, tuples only), one per line.
    static func psql(_ url: String, _ query: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", url, "-X", "-tA", "-v", "ON_ERROR_STOP=1", "-c", query]
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("psql-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        let text = try String(contentsOf: output, encoding: .utf8)
        try #require(process.terminationStatus == 0, "psql failed: \(text.prefix(500))")
        return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }
}
