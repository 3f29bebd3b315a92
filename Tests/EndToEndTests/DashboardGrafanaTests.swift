import Foundation
import Testing

/// The Grafana dashboards only query metrics the real executables expose.
@Suite("Grafana dashboards", .serialized, .timeLimit(.minutes(10)))
struct DashboardGrafanaTests {
    static let grafanaDir = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Dashboards/grafana")

    /// Every `choreo_…` name inside the `expr` strings of a dashboard JSON file.
    static func metricNames(inDashboard file: URL) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: file))
        var exprs: [String] = []
        func walk(_ value: Any) {
            if let dict = value as? [String: Any] {
                for (key, inner) in dict { if key == "expr", let text = inner as? String { exprs.append(text) } else { walk(inner) } }
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(object)
        let regex = try NSRegularExpression(pattern: "choreo_[a-zA-Z0-9_]+")
        var names = Set<String>()
        for expr in exprs {
            for match in regex.matches(in: expr, range: NSRange(expr.startIndex..., in: expr)) {
                names.insert(String(expr[Range(match.range, in: expr)!]))
            }
        }
        return names
    }

    /// Sample names (before `{` or a space) of a Prometheus text exposition.
    static func exposedNames(_ text: String) -> Set<String> {
        Set(
            text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.compactMap { line in
                line.split(whereSeparator: { $0 == "{" || $0 == " " }).first.map(String.init)
            })
    }

    @Test(
        "every metric in the Grafana exprs appears in the collector's or the agent's /metrics",
        arguments: [
            "choreoscope-collector.json", "choreoscope-agent.json",
        ])
    func metricNamesExist(file: String) async throws {
        let dashboard = Self.grafanaDir.appendingPathComponent(file)
        let used = try Self.metricNames(inDashboard: dashboard)
        try #require(!used.isEmpty, "\(file) queries no choreo_ metric")

        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let collectorPort = try ProcessHarness.freePort()
        let agentPort = try ProcessHarness.freePort()
        try harness.start("choreo-collector", ["--listen", "127.0.0.1:\(collectorPort)", "--db", harness.workDir.appendingPathComponent("c.sqlite").path])
        try await ProcessHarness.waitForPort(collectorPort)
        try harness.start("choreo-agent", ["--listen", "127.0.0.1:\(agentPort)", "--collector", "http://127.0.0.1:\(collectorPort)", "--batch-delay-ms", "20"])
        try await ProcessHarness.waitForPort(agentPort)
        // One span through the agent, so histograms and counters have observed something.
        let trace = OTLPJSON.hex(7, digits: 32)
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        let body = try OTLPJSON.request(
            service: "grafana-test", spans: [.init(traceID: trace, spanID: OTLPJSON.hex(1, digits: 16), name: "one", startNanos: now - 1000, endNanos: now)])
        #expect(try await DashboardHTTP.postJSON("http://127.0.0.1:\(agentPort)/v1/traces", body) == 200)
        try await Self.waitForSpan(collector: "http://127.0.0.1:\(collectorPort)", trace: trace)

        var exposed = Set<String>()
        for port in [collectorPort, agentPort] {
            let response = try await DashboardHTTP.get("http://127.0.0.1:\(port)/metrics")
            try #require(response.status == 200)
            exposed.formUnion(Self.exposedNames(String(decoding: response.body, as: UTF8.self)))
        }
        let missing = used.subtracting(exposed)
        #expect(missing.isEmpty, "\(file) uses metrics no executable exposes: \(missing.sorted())")
    }

    @Test(
        "the dashboards take their datasource from the DS_PROMETHEUS variable",
        arguments: [
            "choreoscope-collector.json", "choreoscope-agent.json",
        ])
    func datasourceIsTemplated(file: String) throws {
        let text = try String(contentsOf: Self.grafanaDir.appendingPathComponent(file), encoding: .utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let variables = ((object["templating"] as? [String: Any])?["list"] as? [[String: Any]]) ?? []
        #expect(variables.contains { $0["name"] as? String == "DS_PROMETHEUS" && $0["type"] as? String == "datasource" })
        let panels = try #require(object["panels"] as? [[String: Any]])
        for panel in panels where panel["type"] as? String != "row" {
            let uid = (panel["datasource"] as? [String: Any])?["uid"] as? String
            #expect(uid == "${DS_PROMETHEUS}", "panel \(panel["title"] ?? "?") has datasource \(String(describing: uid))")
        }
    }

    static func waitForSpan(collector: String, trace: String) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while clock.now < deadline {
            if try await DashboardHTTP.get("\(collector)/api/v1/traces/\(trace)").status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the span never reached the collector")
    }
}
