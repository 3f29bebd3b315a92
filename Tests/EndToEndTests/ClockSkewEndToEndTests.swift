import ChoreoFlows
import ChoreoModel
import Foundation
import Testing

/// Issue 18's "Done when" through real processes: order-fulfilment with services skewed by up to
/// ±2 s exports into an agent and a collector, which learns the clocks from the flows it indexes.
///
/// The truth is the same run's spans, read back from the collector and moved back by the skew
/// each service was given: flows built from them as recorded (no correction) are what the
/// services really did, so nothing depends on a second run's timing.
@Suite("Clock skew through a collector", .serialized, .timeLimit(.minutes(5)))
struct ClockSkewEndToEndTests {
    static let skew = "payment=+1500ms,shipment=-2s,inventory=-800ms"
    static let nanosByService: [String: Int64] = ["payment": 1_500_000_000, "shipment": -2_000_000_000, "inventory": -800_000_000]
    static let options = ["--terminal-types", "OrderCompleted,OrderCancelled"]

    @Test(
        "skewed services into a collector: queue times, durations and the map's p50/p95 as the truth, statuses as the truth, --db as the API"
    )
    func skewedRunThroughCollector() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let pipeline = try await harness.startCollectorAndAgent(collectorFlags: Self.options + ["--stuck-floor", "1"])
        let environment = ["OTEL_EXPORTER_OTLP_ENDPOINT": pipeline.agentURL]

        // A few dozen flows for the collector to learn the clocks from.
        let warmUp = try harness.run("order-fulfilment", ["--orders", "40", "--seed", "3", "--clock-skew", Self.skew], environment: environment)
        try #require(warmUp.status == 0, "order-fulfilment failed: \(warmUp.stderr)")
        try await Self.waitForSettledFlows(40, port: pipeline.collectorPort)
        // The map is compared for the measured run only (`--since`): flows indexed before the
        // clocks were learned may end up to 1.5 s late (payment's skew), so the measured run
        // starts 2 s after the warm-up settled.
        let sinceNanos = UnixTime.nowNanos() + 2_000_000_000
        let since = UnixTime.rfc3339(sinceNanos)
        while UnixTime.nowNanos() <= sinceNanos { try await Task.sleep(for: .milliseconds(100)) }

        let truthPath = harness.workDir.appendingPathComponent("truth.json").path
        let run = try harness.run(
            "order-fulfilment", ["--orders", "60", "--seed", "9", "--faults", "all", "--truth", truthPath, "--clock-skew", Self.skew],
            environment: environment)
        try #require(run.status == 0, "order-fulfilment failed: \(run.stderr)")
        let truth = try PostgresE2E.truth(at: truthPath)
        let wrong = try await FlowTruthChecks.flowsDiffering(from: truth, collectorPort: pipeline.collectorPort)
        #expect(wrong.isEmpty, "statuses, outcomes or types differ from the truth: \(wrong.prefix(5))\n\(harness.log("choreo-collector"))")

        // Each flow as the collector answers, and as the unskewed spans say it happened.
        var answered: [String: Flow] = [:]
        var real: [String: Flow] = [:]
        var realSpans: [SpanRecord] = []
        let asRecorded = FlowOptions(terminalTypes: ["OrderCompleted", "OrderCancelled"], adjustsClocks: false)
        for id in truth.keys.sorted() {
            let flow = try Self.get(Flow.self, "/api/v1/flows/\(id)", port: pipeline.collectorPort)
            var spans: [SpanRecord] = []
            for trace in flow.traceIDs {
                spans += try Self.get(TraceAnswer.self, "/api/v1/traces/\(trace.hex)", port: pipeline.collectorPort).spans.map(Self.unskewed)
            }
            answered[id] = flow
            let rebuilt: Flow = try #require(FlowBuilder(options: asRecorded).build(correlationID: id, spans: spans, now: .max))
            real[id] = rebuilt
            realSpans += spans
        }
        // How exact a correction can be is bounded by the run's real delays: the width of the
        // causal bounds of each clock (a millisecond or two on a quiet machine).
        var estimator = ClockSkewEstimator()
        estimator.observe(spans: realSpans)
        let bounds = estimator.offsets()
        func slack(_ service: String) -> UInt64 {
            // A clock source is the service, or the service and its instance (`payment@host`).
            guard let (source, offset) = bounds.bySource.first(where: { $0.key == service || $0.key.hasPrefix(service + "@") }) else { return 0 }
            guard offset.reference != source else { return 0 }
            // A clock bounded one way only (a sink, or one nothing answers) is not skewed in
            // this run: its times are in causal order as recorded and are not moved.
            guard let lower = offset.lowerNanos, let upper = offset.upperNanos, upper >= lower else { return 0 }
            return UInt64(upper - lower)
        }
        // Every skewed service talks both ways with order (commanded style): bounded both ways.
        for service in Self.nanosByService.keys {
            let offset = bounds.bySource.first { $0.key == service || $0.key.hasPrefix(service + "@") }?.value
            #expect(offset?.lowerNanos != nil && offset?.upperNanos != nil, "\(service): \(String(describing: offset))")
        }
        let flowSlack = 2 * (Self.nanosByService.keys.map(slack).max() ?? 0)

        var queues = 0
        var rawOff = 0
        var worstQueueError: UInt64 = 0
        for (id, want) in real {
            let got = try #require(answered[id])
            #expect(got.status != .stuck || truth[id]?.status == "stuck", "\(id) turned stuck because of skew")
            #expect(Self.close(got.endedAtUnixNano - got.startedAtUnixNano, want.endedAtUnixNano - want.startedAtUnixNano, slack: flowSlack))
            let endError = got.endedAtUnixNano > want.endedAtUnixNano ? got.endedAtUnixNano - want.endedAtUnixNano : want.endedAtUnixNano - got.endedAtUnixNano
            #expect(endError <= max(5_000_000, flowSlack), "\(id): last activity \(endError) ns off the true clock's")
            let gotSteps = Dictionary(got.steps.map { ($0.messageID, $0) }, uniquingKeysWith: { a, _ in a })
            for step in want.steps {
                let corrected = try #require(gotSteps[step.messageID], "\(id) \(step.type)")
                for delivery in step.deliveries {
                    guard let trueQueue = delivery.queueTimeNanos else { continue }
                    let match = try #require(corrected.deliveries.first { $0.consumer == delivery.consumer })
                    let queue = try #require(match.queueTimeNanos, "every queue time is known and ≥ 0")
                    queues += 1
                    let recorded = Int64(bitPattern: match.rawFirstStartedAtUnixNano &- corrected.rawPublishedAtUnixNano)
                    if abs(recorded - Int64(trueQueue)) > 500_000_000 { rawOff += 1 }
                    let tolerance = slack(step.source) + slack(delivery.service ?? delivery.consumer)
                    worstQueueError = max(worstQueueError, queue > trueQueue ? queue - trueQueue : trueQueue - queue)
                    #expect(
                        Self.close(queue, trueQueue, slack: tolerance),
                        "\(id) \(step.type) → \(delivery.consumer): queue \(queue) vs \(trueQueue) (slack \(tolerance))")
                }
            }
        }
        #expect(queues > 200)
        let slacks = Self.nanosByService.keys.sorted().map { "\($0) \(slack($0)) ns" }.joined(separator: ", ")
        print("clock skew end to end: \(queues) queue times, worst error \(worstQueueError) ns; causal slack \(slacks)")
        #expect(rawOff > queues / 10, "the skew must really bend the recorded queue times (\(rawOff) of \(queues))")

        // The process map of the measured run, from the index, against the truth's.
        let map = try Self.choreo(harness, ["flows", "map", "--json", "--since", since, "--collector", pipeline.collectorURL])
        let gotMap = try JSONDecoder().decode(ProcessMap.self, from: map)
        let wantMap = ProcessMap(trails: real.values.map(\.trail))
        let publisher = Dictionary(real.values.flatMap(\.steps).map { ($0.type, $0.source) }, uniquingKeysWith: { a, _ in a })
        let gotEdges = Dictionary(gotMap.edges.map { ("\($0.from)>\($0.to)", $0) }, uniquingKeysWith: { a, _ in a })
        for edge in wantMap.edges {
            let got = try #require(gotEdges["\(edge.from)>\(edge.to)"], "\(edge.from) → \(edge.to)")
            #expect(got.count == edge.count, "\(edge.from) → \(edge.to)")
            let tolerance = 2 * (slack(publisher[edge.from] ?? "") + slack(publisher[edge.to] ?? ""))
            #expect(Self.close(got.p50Nanos, edge.p50Nanos, slack: tolerance), "\(edge.from) → \(edge.to) p50 \(got.p50Nanos) vs \(edge.p50Nanos)")
            #expect(Self.close(got.p95Nanos, edge.p95Nanos, slack: tolerance), "\(edge.from) → \(edge.to) p95 \(got.p95Nanos) vs \(edge.p95Nanos)")
        }

        // --db rebuilds with the offsets the collector recorded: the same JSON as the API.
        var differences: [String] = []
        for command in [["flows", "map", "--since", since]] + truth.keys.sorted().prefix(12).map({ ["flows", "show", $0] }) {
            let api = try Self.choreo(harness, command + ["--json", "--collector", pipeline.collectorURL])
            let file = try Self.choreo(harness, command + ["--json", "--db", pipeline.db])
            let a = try JSONSerialization.jsonObject(with: api) as? NSObject
            let b = try JSONSerialization.jsonObject(with: file) as? NSObject
            if a != b { differences.append(command.joined(separator: " ")) }
        }
        #expect(differences.isEmpty, "--db differs from the API for: \(differences)")
    }

    /// The spans of a trace, as `GET /api/v1/traces/{id}` answers.
    struct TraceAnswer: Decodable {
        var spans: [SpanRecord]
    }

    /// A span with its times moved back by its service's skew: as the real clock stamped it.
    static func unskewed(_ span: SpanRecord) -> SpanRecord {
        guard let skew = nanosByService[span.serviceName] else { return span }
        var span = span
        let move = { (time: UInt64) in UInt64(bitPattern: Int64(bitPattern: time) &- skew) }
        span.startTimeUnixNano = move(span.startTimeUnixNano)
        span.endTimeUnixNano = move(span.endTimeUnixNano)
        for i in span.events.indices { span.events[i].timeUnixNano = move(span.events[i].timeUnixNano) }
        return span
    }

    /// Within 5 ms or 10 % of the truth (the issue's tolerance), or within `slack`.
    static func close(_ value: UInt64, _ truth: UInt64, slack: UInt64) -> Bool {
        let difference = value > truth ? value - truth : truth - value
        return difference <= 5_000_000 || Double(difference) <= 0.1 * Double(truth) || difference <= slack
    }

    static func get<T: Decodable>(_ type: T.Type, _ path: String, port: Int) throws -> T {
        let answer = AgentOutage.http("GET", port: port, path: path)
        try #require(answer.status == 200, "GET \(path): HTTP \(answer.status) \(answer.body.prefix(200))")
        return try JSONDecoder().decode(T.self, from: Data(answer.body.utf8))
    }

    static func choreo(_ harness: ProcessHarness, _ arguments: [String]) throws -> Data {
        let result = try harness.run("choreo", arguments)
        try #require(result.status == 0, "choreo \(arguments.joined(separator: " ")): \(result.stderr)")
        return result.stdout
    }

    /// Waits until the index lists `count` flows and none is in flight (120 s at most).
    static func waitForSettledFlows(_ count: Int, port: Int) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120)
        var last = ""
        while clock.now < deadline {
            let answer = AgentOutage.http("GET", port: port, path: "/api/v1/flows?limit=10000")
            if let flows = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [[String: Any]] {
                let settled = flows.filter { $0["status"] as? String != "in_flight" }.count
                if flows.count >= count, settled == flows.count { return }
                last = "\(flows.count) flows, \(settled) settled"
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("the index did not settle within 120 s (\(last))")
    }
}
