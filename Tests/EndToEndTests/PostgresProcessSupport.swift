import Foundation
import Testing

/// The PostgreSQL end-to-end tests' database: `CHOREO_TEST_POSTGRES_URL`, set by
/// `eval "$(scripts/pg-test-cluster.sh start)"` (CI's .ci/run does it).
enum PostgresE2E {
    static let url = ProcessInfo.processInfo.environment["CHOREO_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// Why the tests are skipped, shown in the test log.
    static let skipReason: Comment = """
        skipped: CHOREO_TEST_POSTGRES_URL is not set; start a throwaway cluster with \
        `eval "$(scripts/pg-test-cluster.sh start)"` (CI's .ci/run does) to run the multi-process PostgreSQL tests
        """

    /// A schema no other test uses.
    static func freshSchema(_ prefix: String) -> String {
        "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
    }

    /// One flow of a truth file.
    struct Flow: Decodable {
        var status: String
        var outcome: String?
        var types: [String]
    }

    static func truth(at path: String) throws -> [String: Flow] {
        try JSONDecoder().decode([String: Flow].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// Processes of `order-fulfilment` started by a test, each with its own log, killed on deinit.
final class OrderFulfilmentProcesses: @unchecked Sendable {
    let harness: ProcessHarness
    private var processes: [String: Process] = [:]

    init(harness: ProcessHarness) {
        self.harness = harness
    }

    deinit { stopAll() }

    func logURL(_ label: String) -> URL { harness.workDir.appendingPathComponent("\(label).log") }

    /// Starts `order-fulfilment arguments`; output appends to `<label>.log`.
    @discardableResult
    func start(_ label: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try harness.executable("order-fulfilment"))
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = environment["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? "http://127.0.0.1:9"
        process.environment = environment
        let log = logURL(label)
        if !FileManager.default.fileExists(atPath: log.path) { FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        processes[label] = process
        return process
    }

    /// The log of a process so far.
    func log(_ label: String) -> String {
        (try? String(contentsOf: logURL(label), encoding: .utf8)) ?? ""
    }

    /// Kills a process with `signal` and waits for it to exit.
    func kill(_ label: String, signal: Int32) {
        guard let process = processes.removeValue(forKey: label) else { return }
        Foundation.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    /// Waits until `condition` holds for the log of `label` (polling; a safety limit, not a timing assertion).
    func waitForLog(_ label: String, limit: Duration = .seconds(60), _ condition: (String) -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while !condition(log(label)) {
            guard clock.now < deadline else {
                Issue.record("\(label) did not log what was expected within \(limit): \(log(label).suffix(1_000))")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits until the process exits (safety limit) and returns its status.
    func waitForExit(_ label: String, limit: Duration = .seconds(120)) async throws -> Int32 {
        let process = try #require(processes[label])
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while process.isRunning {
            guard clock.now < deadline else {
                Issue.record("\(label) still runs after \(limit): \(log(label).suffix(1_000))")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        processes[label] = nil
        return process.terminationStatus
    }

    func stopAll() {
        for process in processes.values where process.isRunning { process.terminate() }
        for process in processes.values { process.waitUntilExit() }
        processes.removeAll()
    }
}
