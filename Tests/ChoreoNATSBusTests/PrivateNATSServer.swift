import Foundation
import Testing

/// A nats-server of one test's own (scripts/nats-test-server.sh in a directory of its own), so
/// the test can restart it without disturbing the shared test server.
struct PrivateNATSServer: Sendable {
    let directory: String
    let url: String

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/nats-test-server.sh").path

    /// Whether nats-server is on the PATH (the restart tests need one of their own).
    static let isInstalled: Bool = (try? shell("command -v nats-server")) != nil

    static let skipReason: Comment = "skipped: nats-server is not installed (apt-get install nats-server); the restart tests start one of their own"

    /// Starts a server with JetStream in a fresh directory.
    static func start() throws -> PrivateNATSServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("choreo-nats-restart-\(UInt32.random(in: 0...UInt32.max))").path
        let output = try run("start", directory: directory)
        guard let url = output.split(separator: "'").dropFirst().first.map(String.init), url.hasPrefix("nats://") else {
            throw ScriptFailure(message: "no URL in: \(output)")
        }
        return PrivateNATSServer(directory: directory, url: url)
    }

    /// Stops the server and starts it again on the same port and store; `wipe` empties the store first.
    func restart(wipe: Bool = false) throws {
        _ = try Self.run(wipe ? "restart-empty" : "restart", directory: directory)
    }

    /// SIGKILLs the server (a crash: nothing flushed, no goodbye to clients); ``restart(wipe:)``
    /// starts it again with what its store holds.
    func kill() throws { _ = try Self.run("kill", directory: directory) }

    /// Stops the server and deletes its directory.
    func stop() { _ = try? Self.run("stop", directory: directory) }

    /// Runs `body` (which blocks: the script waits for the server) on a thread of its own, off
    /// Swift's cooperative pool, where the buses' handlers run.
    static func offPool(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    private static func run(_ command: String, directory: String) throws -> String {
        return try shell("\(quote(script)) \(command)", environment: ["CHOREO_NATS_DIR": directory])
    }

    private static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    private static func shell(_ command: String, environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // Output to a file, not a pipe: the server the script starts in the background would
        // inherit the pipe and keep it open, so reading it to its end would never return.
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("nats-script-\(UUID().uuidString)").path
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        try output.close()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else { throw ScriptFailure(message: "\(command) exited \(process.terminationStatus): \(text)") }
        return text
    }
}

struct ScriptFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
