import ChoreoBusConformance
import ChoreoInstrumentation
import ChoreoNATSBus
import ChoreoTestSupport
import Foundation
import Testing

/// The bus across restarts of nats-server (a server of the test's own, restarted by
/// scripts/nats-test-server.sh on the same port).
@Suite("NATS bus: server restarts", .serialized, .enabled(if: PrivateNATSServer.isInstalled, PrivateNATSServer.skipReason), .timeLimit(.minutes(3)))
struct NATSBusRestartTests {
    static func configuration(_ server: PrivateNATSServer, system: String) throws -> NATSBus.Configuration {
        var configuration = try NATSBus.Configuration(url: server.url)
        configuration.system = system
        // Long enough that a handler and its acknowledgement on a loaded 2-core machine never
        // outlast it (JetStream would deliver the message again: "each once" would not hold).
        configuration.ackWait = .seconds(3)
        configuration.requestTimeout = .seconds(2)
        configuration.initialBackoff = .milliseconds(1)
        configuration.maxBackoff = .milliseconds(8)
        return configuration
    }

    static func message(_ topic: String, _ index: Int) -> Message {
        Message(topic: topic, headers: ["id": "r-\(index)", "type": "Restarted"], body: Array("body \(index)".utf8))
    }

    /// Publishes until JetStream acknowledges: while the server restarts a publish may time
    /// out, and publishing again is safe (the same `Nats-Msg-Id` is stored once).
    static func publishUntilAcknowledged(_ bus: NATSBus, _ message: Message) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            do {
                return try await bus.publish(message)
            } catch let error as BusError where error.code == .unavailable && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    @Test("every acknowledged message survives a server restart: backlog kept on disk, publisher and consumers reconnect")
    func restartKeepsAcknowledgedMessages() async throws {
        let server = try await PrivateNATSServer.start()
        defer { server.stopBlocking() }
        let system = "restart_\(UInt32.random(in: 0...UInt32.max))"
        let topic = "orders.placed"
        let handled = Probe<String>()
        let publisher = try NATSBus(configuration: try Self.configuration(server, system: system))
        let first = try NATSBus(configuration: try Self.configuration(server, system: system))
        try await withThrowingTaskGroup(of: Void.self) { group in
            defer { group.cancelAll() }
            group.addTask { try await publisher.run() }
            // The group's first process handles five messages and stops.
            let firstRun = Task { try await first.run() }
            try await first.subscribe(topic: topic, group: "g") { handled.append($0.message.headers["id"] ?? "") }
            for index in 1...5 { try await publisher.publish(Self.message(topic, index)) }
            _ = try await handled.wait(for: 5, "deliveries before the restart")
            try await Self.waitUntilNothingPending(publisher)
            firstRun.cancel()
            _ = await firstRun.result
            // Acknowledged while nobody of the group runs: they must be on the server's disk.
            for index in 6...15 { try await publisher.publish(Self.message(topic, index)) }
            try await server.restart()
            // The publisher reconnects on its own.
            for index in 16...25 { try await Self.publishUntilAcknowledged(publisher, Self.message(topic, index)) }
            // The group's next process finds the backlog and what came after the restart.
            let second = try NATSBus(configuration: try Self.configuration(server, system: system))
            group.addTask { try await second.run() }
            try await second.subscribe(topic: topic, group: "g") { handled.append($0.message.headers["id"] ?? "") }
            let all = try await handled.wait(for: 25, "deliveries of every acknowledged message")
            try await Self.waitUntilNothingPending(second)
            #expect(Set(handled.values) == Set((1...25).map { "r-\($0)" }), "every acknowledged message, got \(all.sorted())")
            #expect(handled.values.count == 25, "each once: \(handled.values.sorted())")
        }
    }

    @Test("a running consumer goes on after a server restart, and declares stream and consumer again when the server lost them")
    func runningConsumerSurvivesRestarts() async throws {
        let server = try await PrivateNATSServer.start()
        defer { server.stopBlocking() }
        let system = "restart_\(UInt32.random(in: 0...UInt32.max))"
        let topic = "payments"
        let handled = Probe<String>()
        let bus = try NATSBus(configuration: try Self.configuration(server, system: system))
        try await withThrowingTaskGroup(of: Void.self) { group in
            defer { group.cancelAll() }
            group.addTask { try await bus.run() }
            try await bus.subscribe(topic: topic, group: "g") { handled.append($0.message.headers["id"] ?? "") }
            try await bus.publish(Self.message(topic, 1))
            try await Self.waitForDistinct(handled, 1, "the delivery before the restart")
            // Acknowledged on the server before it goes down: the handler runs before the
            // acknowledgement is sent, and a delivery still unacknowledged at the restart is
            // rightly delivered again (at least once), which is not what this test is about.
            // Even so JetStream may deliver r-1 again after the restart (its consumer state on
            // disk can trail the acknowledgement; seen in CI): the waits and the check count
            // distinct messages.
            try await Self.waitUntilNothingPending(bus)
            // Same store: the consumer's fetches resume after nats.c reconnects.
            try await server.restart()
            try await Self.publishUntilAcknowledged(bus, Self.message(topic, 2))
            try await Self.waitForDistinct(handled, 2, "the delivery after the restart")
            // Empty store: the publish declares the stream again, the failing fetch the consumer.
            try await server.restartEmpty()
            try await Self.waitUntilConsumerIsBack(bus)
            try await Self.publishUntilAcknowledged(bus, Self.message(topic, 3))
            try await Self.waitForDistinct(handled, 3, "the delivery after the server lost its state")
            var firstSeen: [String] = []
            for id in handled.values where !firstSeen.contains(id) { firstSeen.append(id) }
            #expect(firstSeen == ["r-1", "r-2", "r-3"], "in order, each at least once: \(handled.values)")
        }
    }

    /// Waits until `handled` holds `count` distinct values (one more delivery at a time).
    static func waitForDistinct(_ handled: Probe<String>, _ count: Int, _ what: String) async throws {
        while true {
            let values = handled.values  // one snapshot: what is checked is what is waited past
            if Set(values).count >= count { return }
            _ = try await handled.wait(for: values.count + 1, what)
        }
    }

    /// Three instances (processes) with the default configuration but a 2 s `ack_wait` (so the
    /// deliveries the kill left unacknowledged come back quickly): publishers, a group whose
    /// handler publishes, and a group at the end. SIGKILL mid-stream, 5 s down, started again.
    /// Every publish that returned must arrive, none may be dead-lettered, and with the default
    /// publishTimeout (30 s) no publish, in or out of a handler, may fail for the outage.
    @Test("SIGKILL mid-stream and restart after 5 s: every acknowledged message arrives, nothing dead-lettered, publishes wait")
    func killUnderLoad() async throws {
        let server = try await PrivateNATSServer.start()
        defer { server.stopBlocking() }
        var settings = try NATSBus.Configuration(url: server.url)
        settings.system = "kill_\(UInt32.random(in: 0...UInt32.max))"
        settings.ackWait = .seconds(2)
        let configuration = settings
        let clock = ContinuousClock()
        let outageTook = Probe<Duration>()
        let report = try await BrokerOutage<NATSBus>().run(
            makeBus: { try NATSBus(configuration: configuration) }, run: { try await $0.run() }, deadLetters: { try await $0.deadLetters() },
            pending: { try await $0.pendingDeliveries() },
            outage: {
                let start = clock.now
                try await server.kill()
                try await Task.sleep(for: .seconds(5))
                try await server.restart()
                outageTook.append(clock.now - start)
            })
        print(
            "server kill: \(report.confirmed.count) acknowledged (\(report.confirmedAtKill) before the kill), \(report.sinkDeliveries) sink deliveries, "
                + "outage \(outageTook.values.first.map { "\($0)" } ?? "?"), highest relay attempt \(report.highestRelayAttempt)")
        #expect(report.lost.isEmpty, "acknowledged, never delivered: \(report.lost.count), e.g. \(report.lost.sorted().prefix(10))")
        #expect(report.deadLetters.isEmpty, "dead letters: \(report.deadLetters.prefix(3))")
        #expect(report.failed.isEmpty, "publishes that did not ride out the outage: \(report.failed.count), e.g. \(report.failed.prefix(3))")
        #expect(report.relayFailures.isEmpty, "publishes in a handler that failed: \(report.relayFailures.count), e.g. \(report.relayFailures.prefix(3))")
        #expect(report.confirmedAtKill < report.confirmed.count, "publishes went on after the restart")
        #expect(report.pendingAtEnd == 0, "deliveries left pending in the system: \(report.pendingAtEnd)")
    }

    /// Waits until the bus's consumer exists on the server again (it counts in the pending sum
    /// only once declared, so a publish made before would not be kept for the group).
    static func waitUntilConsumerIsBack(_ bus: NATSBus) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while try await bus.consumerCount() == 0 {
            guard ContinuousClock.now < deadline else { throw ConformanceFailure("the consumer was not declared again within 30 s") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func waitUntilNothingPending(_ bus: NATSBus) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while try await bus.pendingDeliveries() > 0 {
            guard ContinuousClock.now < deadline else { throw ConformanceFailure("deliveries still pending after 30 s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
