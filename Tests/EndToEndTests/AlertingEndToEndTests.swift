import Foundation
import Testing

/// The alerting rules against the real thing: a throwaway Prometheus
/// (scripts/prometheus-test-server.sh) scrapes a real collector and agent and evaluates
/// Dashboards/prometheus/choreoscope-rules.yml.
@Suite(
    "Alerting with a real Prometheus", .serialized, .timeLimit(.minutes(5)),
    .enabled(if: PrometheusTestServer.installed, "prometheus is not installed (apt-get install -y prometheus): the live alerting test is skipped")
)
struct AlertingEndToEndTests {
    @Test("a stuck flow fires ChoreoscopeFlowsStuck in Prometheus's API, and completing it resolves the alert; the rules use only exported metrics")
    func stuckFlowAlertFiresAndResolves() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let collectorPort = try ProcessHarness.freePort()
        let agentPort = try ProcessHarness.freePort()
        try harness.start(
            "choreo-collector",
            [
                "--listen", "127.0.0.1:\(collectorPort)", "--db", harness.workDir.appendingPathComponent("c.sqlite").path,
                "--stuck-after", "2", "--stuck-floor", "1", "--terminal-types", "OrderCompleted", "--metrics-interval", "250ms",
            ])
        try await ProcessHarness.waitForPort(collectorPort)
        try harness.start(
            "choreo-agent", ["--listen", "127.0.0.1:\(agentPort)", "--collector", "http://127.0.0.1:\(collectorPort)", "--batch-delay-ms", "20"])
        try await ProcessHarness.waitForPort(agentPort)
        let collector = "http://127.0.0.1:\(collectorPort)"

        // The real rules, with the stuck alert's 5 minutes shortened to 2 seconds.
        let rules = try String(contentsOf: PrometheusTestServer.rulesFile, encoding: .utf8)
        let stuckRule = "expr: choreo_collector_stuck_flows > 0\n        for: 5m"
        try #require(rules.contains(stuckRule), "the rules file no longer has the stuck rule this test shortens")
        let shortened = harness.workDir.appendingPathComponent("rules.yml")
        try rules.replacingOccurrences(of: stuckRule, with: "expr: choreo_collector_stuck_flows > 0\n        for: 2s")
            .write(to: shortened, atomically: true, encoding: .utf8)
        let prometheus = try PrometheusTestServer.start(
            targets: ["127.0.0.1:\(collectorPort)", "127.0.0.1:\(agentPort)"], rules: shortened, workDir: harness.workDir)
        defer { prometheus.stop() }

        // OrderPlaced published, never consumed: stuck after 2 s, waiting for OrderPlaced.
        let trace = OTLPJSON.hex(0xa1e7, digits: 32)
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        let message = { (id: String, type: String) -> [String: String] in
            [
                "messaging.message.id": id, "messaging.message.conversation_id": "alert-order-1", "choreo.event_type": type,
                "messaging.destination.name": "orders",
            ]
        }
        let placed = OTLPJSON.Span(
            traceID: trace, spanID: OTLPJSON.hex(1, digits: 16), name: "send orders", kind: 4, startNanos: now, endNanos: now + 1_000_000,
            attributes: message("m-1", "OrderPlaced").merging(["messaging.operation.type": "send"]) { $1 })
        #expect(try await DashboardHTTP.postJSON("http://127.0.0.1:\(agentPort)/v1/traces", OTLPJSON.request(service: "checkout", spans: [placed])) == 200)

        let firing = try await Self.poll("ChoreoscopeFlowsStuck firing for OrderPlaced", prometheus: prometheus, harness: harness) {
            $0.contains { $0.name == "ChoreoscopeFlowsStuck" && $0.state == "firing" && $0.labels["waiting_for"] == "OrderPlaced" }
        }
        #expect(firing.filter { $0.name == "ChoreoscopeFlowsStuck" }.count == 1, "one stuck type, one alert: \(firing)")

        // While it fires: the age gauge counts, and every metric the rules use is exported.
        let collectorMetrics = try await Self.exposition("\(collector)/metrics")
        let age = try #require(collectorMetrics.samples["choreo_collector_oldest_stuck_flow_age_seconds"], "\(collectorMetrics.text)")
        #expect(age >= 2, "the oldest stuck flow made no progress for at least --stuck-after")
        let agentMetrics = try await Self.exposition("http://127.0.0.1:\(agentPort)/metrics")
        let used = try Self.metricNames(inRules: rules)
        let missing = used.subtracting(collectorMetrics.names).subtracting(agentMetrics.names)
        #expect(missing.isEmpty, "the rules use metrics no executable exposes: \(missing.sorted())")

        // The order is handled and completes: the flow is no longer stuck, the alert resolves.
        let handled = OTLPJSON.Span(
            traceID: trace, spanID: OTLPJSON.hex(2, digits: 16), parentSpanID: OTLPJSON.hex(1, digits: 16), name: "process orders", kind: 5,
            startNanos: now + 2_000_000, endNanos: now + 3_000_000,
            attributes: message("m-1", "OrderPlaced").merging(["messaging.operation.type": "process", "messaging.consumer.group.name": "orders"]) { $1 })
        let completed = OTLPJSON.Span(
            traceID: trace, spanID: OTLPJSON.hex(3, digits: 16), parentSpanID: OTLPJSON.hex(2, digits: 16), name: "send orders", kind: 4,
            startNanos: now + 2_500_000, endNanos: now + 2_600_000,
            attributes: message("m-2", "OrderCompleted").merging(["messaging.operation.type": "send", "choreo.causation_id": "m-1"]) { $1 })
        #expect(
            try await DashboardHTTP.postJSON(
                "http://127.0.0.1:\(agentPort)/v1/traces", OTLPJSON.request(service: "orders", spans: [handled, completed])) == 200)
        _ = try await Self.poll("ChoreoscopeFlowsStuck resolved", prometheus: prometheus, harness: harness) {
            !$0.contains { $0.name == "ChoreoscopeFlowsStuck" }
        }
        let after = try await Self.exposition("\(collector)/metrics")
        #expect(after.samples["choreo_collector_oldest_stuck_flow_age_seconds"] == 0, "\(after.text)")
        #expect(after.samples["choreo_collector_flows{status=\"completed\"}"] == 1, "\(after.text)")
    }

    /// Polls Prometheus's alerts until `done` holds (60 s deadline); the last answer.
    static func poll(
        _ what: String, prometheus: PrometheusTestServer, harness: ProcessHarness, done: ([PrometheusTestServer.Alert]) -> Bool
    ) async throws -> [PrometheusTestServer.Alert] {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var alerts: [PrometheusTestServer.Alert] = []
        while clock.now < deadline {
            alerts = try await prometheus.alerts()
            if done(alerts) { return alerts }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record(
            "no \(what) within 60 s; alerts: \(alerts)\ncollector log:\n\(harness.log("choreo-collector"))\nprometheus log:\n\(prometheus.log())")
        throw CancellationError()
    }

    /// A scrape: its text, the names of its samples, and each sample's value by its series text.
    static func exposition(_ url: String) async throws -> (text: String, names: Set<String>, samples: [String: Double]) {
        let response = try await DashboardHTTP.get(url)
        try #require(response.status == 200)
        let text = String(decoding: response.body, as: UTF8.self)
        var names = Set<String>()
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            guard let space = line.lastIndex(of: " ") else { continue }
            let series = String(line[..<space])
            names.insert(String(series.prefix { $0 != "{" }))
            samples[series] = Double(line[line.index(after: space)...])
        }
        return (text, names, samples)
    }

    /// Every `choreo_…` metric name in the rules' expressions.
    static func metricNames(inRules rules: String) throws -> Set<String> {
        let regex = try NSRegularExpression(pattern: "choreo_(collector|agent)_[a-zA-Z0-9_]+")
        var names = Set<String>()
        for line in rules.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
            let text = String(line)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                names.insert(String(text[Range(match.range, in: text)!]))
            }
        }
        return names.filter { !$0.hasSuffix("_") }
    }
}
