import BusConformance
import ChoreoInstrumentation
import ChoreoRabbitMQBus
import Foundation
import Testing

/// A RabbitMQ node of the test's own (scripts/rabbitmq-test-server.sh in a fresh directory),
/// so restarting it disturbs no other test.
struct PrivateBroker: Sendable {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/rabbitmq-test-server.sh").path

    /// True when `rabbitmq-server` is installed where the script looks for it.
    static let installed: Bool = {
        let environment = ProcessInfo.processInfo.environment
        if let bin = environment["RABBITMQ_BIN"], FileManager.default.isExecutableFile(atPath: bin + "/rabbitmq-server") { return true }
        let path = (environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/lib/rabbitmq/bin", "/usr/sbin"]
        return path.contains { FileManager.default.isExecutableFile(atPath: $0 + "/rabbitmq-server") }
    }()

    static let skipReason: Comment = "skipped: rabbitmq-server is not installed (apt-get install rabbitmq-server), so there is no broker to restart"

    let directory: String
    let url: String

    /// Starts a node in a fresh directory.
    static func start() async throws -> PrivateBroker {
        let directory = NSTemporaryDirectory() + "choreo-rabbitmq-restart-\(UInt32.random(in: 0...UInt32.max))"
        let output = try await run(["start"], directory: directory)
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("export CHOREO_TEST_AMQP_URL=") }) else {
            throw ConformanceFailure("the script printed no URL: \(output)")
        }
        let url = line.dropFirst("export CHOREO_TEST_AMQP_URL=".count).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        return PrivateBroker(directory: directory, url: url)
    }

    /// Stops the node and starts it again on the same port with the same data.
    func restart() async throws { _ = try await Self.run(["restart"], directory: directory) }

    /// SIGKILLs the node (a crash: no clean shutdown); ``restart()`` starts it again.
    func kill() async throws { _ = try await Self.run(["kill"], directory: directory) }

    /// Stops the node and deletes its directory.
    func stop() async { _ = try? await Self.run(["stop"], directory: directory) }

    /// Runs the script on a thread of its own (it blocks for seconds) and returns its standard output.
    static func run(_ arguments: [String], directory: String) async throws -> String {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try spawn(arguments, directory: directory) })
            }
            thread.start()
        }
    }

    /// posix_spawn and waitpid (Foundation's Process can miss the exit of a script that leaves a
    /// daemon behind); stderr goes to /dev/null.
    private static func spawn(_ arguments: [String], directory: String) throws -> String {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ConformanceFailure("pipe failed") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let environment = ProcessInfo.processInfo.environment.merging(["CHOREO_RABBITMQ_DIR": directory]) { $1 }
        let argv = ([script] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, script, &actions, nil, argv, envp)
        close(fds[1])
        defer { close(fds[0]) }
        guard status == 0 else { throw ConformanceFailure("cannot start \(script): error \(status)") }
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
        guard exit == 0 else { throw ConformanceFailure("\(script) \(arguments.joined(separator: " ")) failed (status \(exit)): \(text)") }
        return text
    }
}

@Suite("RabbitMQ bus: broker restart", .serialized, .enabled(if: PrivateBroker.installed, PrivateBroker.skipReason), .timeLimit(.minutes(5)))
struct BrokerRestartTests {
    /// Confirmed messages that sit in a queue (or unacknowledged at a blocked consumer) while the
    /// broker restarts are delivered after it; publishes made while it is down wait, reconnect and
    /// are confirmed; the consumer reconnects and declares its queue again on its own.
    @Test("the bus survives a broker restart: it reconnects, declares its topology again and loses no confirmed message")
    func restart() async throws {
        let broker = try await PrivateBroker.start()
        do {
            try await survive(broker)
        } catch {
            await broker.stop()
            throw error
        }
        await broker.stop()
    }

    private func survive(_ broker: PrivateBroker) async throws {
        var configuration = try RabbitMQBus.Configuration(url: broker.url)
        configuration.prefix = "restart"
        configuration.maxReconnectDelay = .milliseconds(500)
        configuration.publishTimeout = .seconds(120)
        let bus = try RabbitMQBus(configuration: configuration)
        let handled = Probe<String>()
        let gate = HandlerGate()
        let entered = Probe<Int>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await bus.run() }
            defer { group.cancelAll() }
            defer { gate.open() }
            try await bus.subscribe(topic: "orders", group: "g") { delivery in
                entered.append(1)
                await gate.wait()
                handled.append(delivery.message.headers["id"] ?? "")
            }
            // Before the restart: ten confirmed messages; the consumer holds some unacknowledged.
            for index in 1...10 { try await bus.publish(Message(topic: "orders", headers: ["id": "before-\(index)"])) }
            _ = try await entered.wait(for: 1, "a delivery held by the blocked handler")
            try await broker.restart()
            // After the restart: the publisher reconnects (these wait for it and are confirmed).
            for index in 1...10 { try await bus.publish(Message(topic: "orders", headers: ["id": "after-\(index)"])) }
            gate.open()
            let expected = Set((1...10).map { "before-\($0)" } + (1...10).map { "after-\($0)" })
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(60)
            while !expected.isSubset(of: Set(handled.values)), clock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            let missing = expected.subtracting(handled.values)
            #expect(missing.isEmpty, "confirmed messages never handled: \(missing.sorted())")
        }
    }
}

@Suite("RabbitMQ bus: broker killed under load", .serialized, .enabled(if: PrivateBroker.installed, PrivateBroker.skipReason), .timeLimit(.minutes(3)))
struct BrokerKillTests {
    /// Three instances (processes) with the default configuration: publishers, a group whose
    /// handler publishes, and a group at the end. SIGKILL mid-stream, 5 s down, started again
    /// (its boot takes a few seconds more). Every publish that returned must arrive, none may be
    /// dead-lettered, and with the default publishTimeout (30 s) no publish, in or out of a
    /// handler, may fail for the outage: it waits for the reconnection.
    @Test("SIGKILL mid-stream and restart after 5 s: every confirmed message arrives, nothing dead-lettered, publishes wait")
    func killUnderLoad() async throws {
        let broker = try await PrivateBroker.start()
        do {
            try await survive(broker)
        } catch {
            await broker.stop()
            throw error
        }
        await broker.stop()
    }

    private func survive(_ broker: PrivateBroker) async throws {
        let configuration = try RabbitMQBus.Configuration(url: broker.url)
        let clock = ContinuousClock()
        let outageTook = Probe<Duration>()
        let report = try await BrokerOutage<RabbitMQBus>().run(
            makeBus: { try RabbitMQBus(configuration: configuration) }, run: { try await $0.run() }, deadLetters: { try await $0.deadLetters() },
            // The source subscribes to nothing: it sees the other processes' queues by name.
            pending: { try await $0.pendingDeliveries(subscriptions: [("in", "relay"), ("out", "sink")]) },
            outage: {
                let start = clock.now
                try await broker.kill()
                try await Task.sleep(for: .seconds(5))
                try await broker.restart()
                outageTook.append(clock.now - start)
            })
        print(
            "broker kill: \(report.confirmed.count) confirmed (\(report.confirmedAtKill) before the kill), \(report.sinkDeliveries) sink deliveries, "
                + "outage \(outageTook.values.first.map { "\($0)" } ?? "?"), highest relay attempt \(report.highestRelayAttempt)")
        #expect(report.lost.isEmpty, "confirmed, never delivered: \(report.lost.count), e.g. \(report.lost.sorted().prefix(10))")
        #expect(report.deadLetters.isEmpty, "dead letters: \(report.deadLetters.prefix(3))")
        #expect(report.failed.isEmpty, "publishes that did not ride out the outage: \(report.failed.count), e.g. \(report.failed.prefix(3))")
        #expect(report.relayFailures.isEmpty, "publishes in a handler that failed: \(report.relayFailures.count), e.g. \(report.relayFailures.prefix(3))")
        #expect(report.confirmedAtKill < report.confirmed.count, "publishes went on after the restart")
        #expect(report.pendingAtEnd == 0, "ready messages left in the groups' and the retry queues: \(report.pendingAtEnd)")
    }
}
