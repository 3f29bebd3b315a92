import Foundation

/// A throwaway server of one test's own, started by one of the repository's test-server scripts
/// (`scripts/rabbitmq-test-server.sh`, `scripts/nats-test-server.sh`) in a directory of its
/// own, so the test can kill and restart it without disturbing the servers other tests share.
///
/// Every script takes `start` (prints `export VARIABLE='URL'`), `restart` (same port and data),
/// `kill` (SIGKILL: a crash) and `stop` (stops and deletes the directory), and reads its
/// directory from an environment variable.
public struct ScriptedTestServer: Sendable {
    /// A kind of server: its script, the variable naming its directory, and the one its URL is exported as.
    public struct Kind: Sendable {
        public var script: String
        public var directoryVariable: String
        public var urlVariable: String
        /// The executable that must be installed (looked up on the PATH and in `extraPaths`).
        public var executable: String
        public var extraPaths: [String]

        public static let rabbitMQ = Kind(
            script: "rabbitmq-test-server.sh", directoryVariable: "CHOREO_RABBITMQ_DIR", urlVariable: "CHOREO_TEST_AMQP_URL",
            executable: "rabbitmq-server", extraPaths: ["/usr/lib/rabbitmq/bin", "/usr/sbin"])
        public static let nats = Kind(
            script: "nats-test-server.sh", directoryVariable: "CHOREO_NATS_DIR", urlVariable: "CHOREO_TEST_NATS_URL",
            executable: "nats-server", extraPaths: [])

        /// True when the server's executable is installed.
        public var isInstalled: Bool {
            let environment = ProcessInfo.processInfo.environment
            let path = (environment["PATH"] ?? "").split(separator: ":").map(String.init) + extraPaths
            return path.contains { FileManager.default.isExecutableFile(atPath: $0 + "/" + executable) }
        }
    }

    public let kind: Kind
    public let directory: String
    public let url: String

    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts").path

    /// Starts a server in a fresh directory and returns once it accepts connections.
    public static func start(_ kind: Kind) async throws -> ScriptedTestServer {
        let directory = NSTemporaryDirectory() + "choreo-\(kind.executable)-\(UInt32.random(in: 0...UInt32.max))"
        let output = try await run(kind, ["start"], directory: directory)
        let prefix = "export \(kind.urlVariable)="
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix(prefix) }) else {
            throw ScriptedTestServerError(message: "\(kind.script) start printed no \(kind.urlVariable): \(output)")
        }
        let url = line.dropFirst(prefix.count).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        return ScriptedTestServer(kind: kind, directory: directory, url: url)
    }

    /// Starts a server, runs `body` with it, and stops it (also when `body` throws).
    public static func with<T: Sendable>(_ kind: Kind, _ body: (ScriptedTestServer) async throws -> T) async throws -> T {
        let server = try await start(kind)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// SIGKILLs the server: no clean shutdown.
    public func kill() async throws { _ = try await Self.run(kind, ["kill"], directory: directory) }

    /// Starts the server again (after ``kill()``, or stops it first) on the same port and data.
    public func restart() async throws { _ = try await Self.run(kind, ["restart"], directory: directory) }

    /// Stops the server and starts it again on the same port with an empty store (NATS only:
    /// a server that lost its state).
    public func restartEmpty() async throws { _ = try await Self.run(kind, ["restart-empty"], directory: directory) }

    /// Stops the server and deletes its directory.
    public func stop() async { _ = try? await Self.run(kind, ["stop"], directory: directory) }

    /// ``stop()`` blocking the calling thread, for a `defer`.
    public func stopBlocking() {
        _ = try? Self.spawn(Self.scripts + "/" + kind.script, ["stop"], [kind.directoryVariable: directory])
    }

    /// Runs the script on a thread of its own (it blocks for seconds) and returns its output.
    static func run(_ kind: Kind, _ arguments: [String], directory: String) async throws -> String {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
            Thread.detachNewThread {
                continuation.resume(with: Result { try spawn(scripts + "/" + kind.script, arguments, [kind.directoryVariable: directory]) })
            }
        }
    }

    /// posix_spawn and waitpid, output through a pipe that only the script holds: Foundation's
    /// Process can miss the exit of a script that leaves a daemon behind, and a daemon that
    /// inherited the pipe would keep it open. Standard error goes to /dev/null.
    private static func spawn(_ script: String, _ arguments: [String], _ environment: [String: String]) throws -> String {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ScriptedTestServerError(message: "pipe failed") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let argv = ([script] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, script, &actions, nil, argv, envp)
        close(fds[1])
        defer { close(fds[0]) }
        guard status == 0 else { throw ScriptedTestServerError(message: "cannot start \(script): error \(status)") }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = read(fds[0], &buffer, buffer.count)
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        var exit: Int32 = 0
        while waitpid(pid, &exit, 0) == -1, errno == EINTR {}
        let text = String(decoding: output, as: UTF8.self)
        guard exit == 0 else {
            throw ScriptedTestServerError(message: "\(script) \(arguments.joined(separator: " ")) failed (status \(exit)): \(text)")
        }
        return text
    }
}

/// A test-server script failed.
public struct ScriptedTestServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
