import Foundation
import Testing

/// Starts the project's real executables as child processes on loopback ports, and stops them.
final class ProcessHarness: @unchecked Sendable {
    let workDir: URL
    let binDir: URL
    private var running: [Process] = []

    init() throws {
        workDir = FileManager.default.temporaryDirectory.appendingPathComponent("choreo-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
        // The test runner lives next to the executables SwiftPM built (.build/<config>/).
        let runner = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        binDir = runner.deletingLastPathComponent()
    }

    deinit {
        stopAll()
        try? FileManager.default.removeItem(at: workDir)
    }

    /// The path of a built executable; fails the test with a hint when it is missing.
    func executable(_ name: String) throws -> String {
        let path = binDir.appendingPathComponent(name).path
        try #require(FileManager.default.isExecutableFile(atPath: path), "\(name) not built in \(binDir.path): run `swift build` first")
        return path
    }

    /// Starts a long-running process; its output goes to `<workDir>/<label>.log` (the label is
    /// the executable's name unless given: several processes of one executable need labels).
    @discardableResult
    func start(_ name: String, _ arguments: [String], environment: [String: String] = [:], label: String? = nil) throws -> Process {
        try startProgram(at: try executable(name), Self.arguments(name, arguments), environment: environment, label: label ?? name)
    }

    /// Starts a long-running program that is not one of the project's executables (a script, a
    /// server from the system), stopped with the rest by ``stopAll()``; its output goes to
    /// `<workDir>/<label>.log`.
    @discardableResult
    func startProgram(at path: String, _ arguments: [String], environment: [String: String] = [:], label: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let log = workDir.appendingPathComponent("\(label).log")
        if !FileManager.default.fileExists(atPath: log.path) { FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        running.append(process)
        return process
    }

    /// Runs a process to completion and returns its exit status, stdout and stderr.
    func run(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: Data, stderr: String) {
        try Self.runToEnd(try executable(name), Self.arguments(name, arguments), environment: environment, outputIn: workDir)
    }

    /// Runs `executable` to its end, its output going to files in `directory` (a pipe would
    /// fill up and block a chatty child; the files do not): its status, stdout and stderr.
    static func runToEnd(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], outputIn directory: URL
    ) throws -> (status: Int32, stdout: Data, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = directory.appendingPathComponent("run-\(UUID().uuidString).out")
        let err = directory.appendingPathComponent("run-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        let stdout = (try? Data(contentsOf: out)) ?? Data()
        let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        return (process.terminationStatus, stdout, stderr)
    }

    /// The arguments a process is started with: an agent gets `--grpc-listen none` unless the
    /// test names a gRPC address, since tests run many agents at once and the default
    /// 127.0.0.1:4317 can be bound by one only.
    static func arguments(_ name: String, _ arguments: [String]) -> [String] {
        guard name == "choreo-agent", !arguments.contains("--grpc-listen") else { return arguments }
        return arguments + ["--grpc-listen", "none"]
    }

    /// The log of a started process, for failure messages: its last 2,000 characters, and
    /// when it crashed, what it printed first about the crash (the reason and the crashed
    /// thread, which a long backtrace would push out of the tail).
    func log(_ name: String) -> String {
        let text = (try? String(contentsOf: workDir.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
        let tail = String(text.suffix(2000))
        let markers = ["Fatal error", "*** Program crashed", "*** Signal", "free(): ", "double free", "malloc(): "]
        guard let crash = markers.compactMap({ text.range(of: $0)?.lowerBound }).min(),
            !tail.contains(String(text[crash...].prefix(200)))
        else { return tail }
        let start = text.index(crash, offsetBy: -500, limitedBy: text.startIndex) ?? text.startIndex
        let end = text.index(crash, offsetBy: 3000, limitedBy: text.endIndex) ?? text.endIndex
        var crashed = ""
        if let thread = text.range(of: " crashed:\n", range: crash..<text.endIndex) {
            let lineStart = text[..<thread.lowerBound].lastIndex(of: "\n") ?? thread.lowerBound
            crashed = "\n[…]\n" + String(text[lineStart...].prefix(2500))
        }
        return "[crash report]\n" + text[start..<end] + crashed + "\n[…]\n[end of log]\n" + tail
    }

    /// Stops every started process: SIGTERM, then SIGKILL for one still running 10 s later (a
    /// child can inherit SIGTERM blocked from the thread that spawned it).
    func stopAll() {
        for process in running where process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + .seconds(10)
        for process in running {
            while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        running.removeAll()
    }

    /// The ports and files of a collector and an agent started by ``startCollectorAndAgent(collectorFlags:)``.
    struct Pipeline {
        var collectorPort: Int
        var agentPort: Int
        var db: String
        var collectorURL: String { "http://127.0.0.1:\(collectorPort)" }
        var agentURL: String { "http://127.0.0.1:\(agentPort)" }
    }

    /// Starts a collector alone on a free loopback port (SQLite file `db` in the work directory,
    /// plus `flags`) and waits until it listens; its base URL.
    func startCollector(_ flags: [String] = [], db: String = "choreo.sqlite") async throws -> String {
        let port = try Self.freePort()
        try start("choreo-collector", ["--listen", "127.0.0.1:\(port)", "--db", workDir.appendingPathComponent(db).path] + flags)
        try await Self.waitForPort(port)
        return "http://127.0.0.1:\(port)"
    }

    /// Starts a collector (SQLite in the work directory, plus `collectorFlags`) and an agent that
    /// forwards to it with 50 ms batches, and waits until both listen.
    func startCollectorAndAgent(collectorFlags: [String] = []) async throws -> Pipeline {
        let pipeline = Pipeline(
            collectorPort: try Self.freePort(), agentPort: try Self.freePort(), db: workDir.appendingPathComponent("choreo.sqlite").path)
        try start("choreo-collector", ["--listen", "127.0.0.1:\(pipeline.collectorPort)", "--db", pipeline.db] + collectorFlags)
        try await Self.waitForPort(pipeline.collectorPort)
        try start("choreo-agent", ["--listen", "127.0.0.1:\(pipeline.agentPort)", "--collector", pipeline.collectorURL, "--batch-delay-ms", "50"])
        try await Self.waitForPort(pipeline.agentPort)
        return pipeline
    }

    /// A port that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        try #require(bound, "cannot bind a loopback socket")
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Waits until something accepts connections on the port, or the deadline passes.
    static func waitForPort(_ port: Int, timeout: Duration = .seconds(30)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(fd)
            if connected { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("nothing listens on 127.0.0.1:\(port) after \(timeout)")
        throw CancellationError()
    }
}
