import Foundation
import Testing

/// A throwaway Prometheus started with scripts/prometheus-test-server.sh in its own directory.
struct PrometheusTestServer: Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = root.appendingPathComponent("scripts/prometheus-test-server.sh")
    static let rulesFile = root.appendingPathComponent("Dashboards/prometheus/choreoscope-rules.yml")

    /// True when a `prometheus` executable is on the PATH.
    static let installed: Bool = {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/prometheus")
        }
    }()

    /// One alert of `GET /api/v1/alerts`.
    struct Alert: Sendable, CustomStringConvertible {
        var name: String
        var state: String
        var labels: [String: String]
        var description: String { "\(name)[\(state)] \(labels.sorted { $0.key < $1.key })" }
    }

    let url: String
    let directory: URL

    /// Starts Prometheus scraping `targets` every second and evaluating `rules` every second.
    static func start(targets: [String], rules: URL, workDir: URL) throws -> PrometheusTestServer {
        let directory = workDir.appendingPathComponent("prometheus")
        var arguments = ["start", "--interval", "1s", "--rules", rules.path]
        for target in targets { arguments += ["--target", target] }
        let result = try run(arguments, directory: directory)
        try #require(result.status == 0, "prometheus-test-server.sh start failed: \(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.contains("CHOREO_TEST_PROMETHEUS_URL=") })
        let url = String(line.split(separator: "=", maxSplits: 1)[1]).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        return PrometheusTestServer(url: url, directory: directory)
    }

    /// Stops the server and deletes its directory.
    func stop() { _ = try? Self.run(["stop"], directory: directory) }

    /// The last 2,000 characters of its log.
    func log() -> String {
        String(((try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? "").suffix(2000))
    }

    /// The alerts pending or firing now.
    func alerts() async throws -> [Alert] {
        let response = try await DashboardHTTP.get("\(url)/api/v1/alerts")
        try #require(response.status == 200, "GET /api/v1/alerts answered \(response.status)")
        let object = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        let data = try #require(object["data"] as? [String: Any])
        let alerts = try #require(data["alerts"] as? [[String: Any]])
        return alerts.map { alert in
            let labels = alert["labels"] as? [String: String] ?? [:]
            return Alert(name: labels["alertname"] ?? "", state: alert["state"] as? String ?? "", labels: labels)
        }
    }

    private static func run(_ arguments: [String], directory: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        let result = try ProcessHarness.runToEnd(
            "/usr/bin/env", ["bash", script.path] + arguments, environment: ["CHOREO_PROMETHEUS_DIR": directory.path],
            outputIn: directory.deletingLastPathComponent())
        return (result.status, String(decoding: result.stdout, as: UTF8.self), result.stderr)
    }
}
