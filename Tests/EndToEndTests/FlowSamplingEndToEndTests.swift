import ChoreoModel
import ChoreoTracer
import Foundation
import Testing

/// Head sampling by flow across separate service processes: every service of order-fulfilment
/// (PostgreSQL bus, `--processes`) runs with `OTEL_TRACES_SAMPLER=choreo_flow` at 10 %.
@Suite(
    "Head sampling by flow across processes", .serialized, .enabled(if: PostgresE2E.url != nil, PostgresE2E.skipReason),
    .timeLimit(.minutes(10)))
struct FlowSamplingEndToEndTests {
    static let orders = 200
    static let sampling = FlowSampling(ratio: 0.1)

    @Test("at 10 %: every kept flow is complete and matches the truth; a dropped flow keeps only error and dead-letter spans, and every failed one keeps them")
    func tenPercent() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let processes = OrderFulfilmentProcesses(harness: harness)
        defer { processes.stopAll() }
        let pipeline = try await harness.startCollectorAndAgent()
        let truthPath = harness.workDir.appendingPathComponent("truth.json").path
        // The children (the driver and its service processes) inherit these.
        setenv("OTEL_EXPORTER_OTLP_ENDPOINT", pipeline.agentURL, 1)
        setenv("OTEL_TRACES_SAMPLER", "choreo_flow", 1)
        setenv("OTEL_TRACES_SAMPLER_ARG", "0.1", 1)
        defer {
            unsetenv("OTEL_EXPORTER_OTLP_ENDPOINT")
            unsetenv("OTEL_TRACES_SAMPLER")
            unsetenv("OTEL_TRACES_SAMPLER_ARG")
        }
        try processes.start(
            "driver",
            [
                "--bus", try #require(PostgresE2E.url), "--schema", PostgresE2E.freshSchema("sampling"), "--processes", "--faults", "all",
                "--orders", "\(Self.orders)", "--concurrency", "8", "--seed", "16", "--day", "200ms", "--truth", truthPath,
            ])
        let status = try await processes.waitForExit("driver", limit: .seconds(300))
        try #require(status == 0, "order-fulfilment --processes failed: \(processes.log("driver").suffix(2_000))")
        let truth = try PostgresE2E.truth(at: truthPath)
        try #require(truth.count == Self.orders)
        try await Chaos.waitUntilAgentDrained(agentPort: pipeline.agentPort)

        let kept = truth.filter { Self.sampling.keeps(correlationID: $0.key) }
        let dropped = truth.filter { !Self.sampling.keeps(correlationID: $0.key) }
        #expect(kept.count >= 8 && kept.count <= 35, "about 10 % of \(Self.orders) flows kept: \(kept.count)")
        #expect(Set(kept.values.map(\.status)).count >= 2, "the kept flows mix statuses: \(kept.values.map(\.status))")

        // Every kept flow: whole, as the truth says (status, outcome, every message type).
        let wrong = try await FlowTruthChecks.flowsDiffering(from: kept, collectorPort: pipeline.collectorPort)
        #expect(wrong.isEmpty, "\(wrong.count) kept flows differ from the truth: \(wrong.prefix(5))")

        // Every dropped flow: only spans with an error status or a dead-lettered outcome reached
        // the collector; every failed one (a dead letter) reached it with them.
        var droppedWithSpans = 0
        for (id, expected) in dropped.sorted(by: { $0.key < $1.key }) {
            let spans = try await Self.spans(ofFlow: id, collectorPort: pipeline.collectorPort)
            if !spans.isEmpty { droppedWithSpans += 1 }
            let healthy = spans.filter { $0.statusCode != .error && $0.string(ChoreoKey.deliveryOutcome) != DeliveryOutcome.deadLettered.rawValue }
            #expect(healthy.isEmpty, "dropped flow \(id) kept spans without an error: \(healthy.map(\.name))")
            if expected.status == "failed" {
                #expect(
                    spans.contains { $0.string(ChoreoKey.deliveryOutcome) == DeliveryOutcome.deadLettered.rawValue || $0.statusCode == .error },
                    "dropped failed flow \(id) lost its error spans")
            }
        }
        #expect(dropped.values.contains { $0.status == "failed" }, "the run has failed flows among the dropped ones")
        #expect(droppedWithSpans > 0 && droppedWithSpans < dropped.count, "some dropped flows keep error spans, most keep none")
    }

    /// The spans of one flow the collector holds (none when it has no such flow).
    static func spans(ofFlow id: String, collectorPort: Int) async throws -> [SpanRecord] {
        let escaped = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? id
        let answer = AgentOutage.http("GET", port: collectorPort, path: "/api/v1/flows/\(escaped)")
        if answer.status == 404 { return [] }
        try #require(answer.status == 200, "GET /api/v1/flows/\(id): \(answer.status) \(answer.body.prefix(300))")
        let flow = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
        var spans: [SpanRecord] = []
        for trace in flow["trace_ids"] as? [String] ?? [] {
            let document = AgentOutage.http("GET", port: collectorPort, path: "/api/v1/traces/\(trace)")
            try #require(document.status == 200, "GET /api/v1/traces/\(trace): \(document.status)")
            let decoded = try JSONDecoder().decode(Trace.self, from: Data(document.body.utf8))
            spans += decoded.spans.filter { $0.string(MessagingKey.conversationID) == id }
        }
        return spans
    }

    struct Trace: Decodable { var spans: [SpanRecord] }
}
