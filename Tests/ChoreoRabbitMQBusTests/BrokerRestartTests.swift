import ChoreoBusConformance
import ChoreoTestSupport
import ChoreoInstrumentation
import ChoreoRabbitMQBus
import Foundation
import Testing

/// A RabbitMQ node of the test's own (scripts/rabbitmq-test-server.sh in a fresh directory),
/// so restarting or killing it disturbs no other test.
typealias PrivateBroker = ScriptedTestServer

extension ScriptedTestServer {
    /// True when `rabbitmq-server` is installed where the script looks for it.
    static var installed: Bool { Kind.rabbitMQ.isInstalled }

    static let skipReason: Comment = "skipped: rabbitmq-server is not installed (apt-get install rabbitmq-server), so there is no broker to restart"
}

@Suite("RabbitMQ bus: broker restart", .serialized, .enabled(if: PrivateBroker.installed, PrivateBroker.skipReason), .timeLimit(.minutes(5)))
struct BrokerRestartTests {
    /// Confirmed messages that sit in a queue (or unacknowledged at a blocked consumer) while the
    /// broker restarts are delivered after it; publishes made while it is down wait, reconnect and
    /// are confirmed; the consumer reconnects and declares its queue again on its own.
    @Test("the bus survives a broker restart: it reconnects, declares its topology again and loses no confirmed message")
    func restart() async throws {
        try await ScriptedTestServer.with(.rabbitMQ) { try await survive($0) }
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
        try await ScriptedTestServer.with(.rabbitMQ) { try await survive($0) }
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
