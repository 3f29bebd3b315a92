import ChoreoInstrumentation
import Foundation
import Synchronization

/// A broker outage under load, as the order-fulfilment system meets it: services in separate
/// processes (here: separate bus instances, each with its own connections) publish, consume,
/// and publish from inside their handlers while the broker is killed and started again.
///
/// - a *source* instance runs `publishers` tasks, each publishing to `in` one message after
///   another without pause (the next as soon as the previous returned or threw);
/// - a *relay* instance subscribes group `relay` to `in`; its handler publishes the message
///   (same id) to `out` through its own bus, so a handler's publish meets the outage too;
/// - a *sink* instance subscribes group `sink` to `out` and records what arrives.
///
/// Once `before` messages were confirmed and the sink has seen some, `outage` runs (it kills
/// the broker, waits, starts it again, and returns once it was started); the publishers go on
/// throughout and stop once `after` more were confirmed after it returned. Then the scenario
/// waits (at most `drainLimit`) until the sink saw every message whose publish returned, then
/// until `pending` (asked of the source) is 0, and reports what happened (also when something
/// is still missing then); the test decides what must hold.
public struct BrokerOutage<Bus: MessageBus>: Sendable {
    /// What happened.
    public struct Report: Sendable {
        /// Ids of the messages to `in` whose publish returned (the broker confirmed them).
        public var confirmed: Set<String> = []
        /// Publishes to `in` that threw: id and error.
        public var failed: [String] = []
        /// Ids the relay group handled, and its handler's publishes to `out` that threw.
        public var relayed: Set<String> = []
        public var relayFailures: [String] = []
        /// The highest attempt number the relay group saw (1 unless a handler failed).
        public var highestRelayAttempt = 0
        /// Ids the sink group handled, and how many deliveries it handled in all (duplicates included).
        public var sunk: Set<String> = []
        public var sinkDeliveries = 0
        /// Confirmed and sunk messages when the outage began.
        public var confirmedAtKill = 0
        public var sunkAtKill = 0
        /// Confirmed messages no sink delivery has carried.
        public var lost: Set<String> { confirmed.subtracting(sunk) }
        /// The dead letters of the system after the run.
        public var deadLetters: [DeadLetter] = []
        /// What `pending` reported last, asked of the source instance (subscribed to nothing)
        /// after the sink saw everything: 0 once both groups' queues drained.
        public var pendingAtEnd = -1
    }

    public let publishers: Int
    public let before: Int
    public let after: Int
    public let drainLimit: Duration

    public init(publishers: Int = 3, before: Int = 300, after: Int = 300, drainLimit: Duration = .seconds(40)) {
        self.publishers = publishers
        self.before = before
        self.after = after
        self.drainLimit = drainLimit
    }

    /// Runs the scenario: `makeBus` makes a new instance ("process"), `run` runs one until
    /// cancelled, `deadLetters` reads the system's dead letters, `outage` kills and restarts the broker.
    public func run(
        makeBus: @escaping @Sendable () async throws -> Bus, run: @escaping @Sendable (Bus) async throws -> Void,
        deadLetters: @escaping @Sendable (Bus) async throws -> [DeadLetter], pending: @escaping @Sendable (Bus) async throws -> Int,
        outage: @escaping @Sendable () async throws -> Void
    ) async throws -> Report {
        let shared = Shared()
        let progress = Probe<Int>()
        let source = try await makeBus()
        let relay = try await makeBus()
        let sink = try await makeBus()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for bus in [source, relay, sink] { group.addTask { try await run(bus) } }
            defer { group.cancelAll() }
            try await sink.subscribe(topic: "out", group: "sink") { delivery in
                let id = delivery.message.headers["id"] ?? ""
                shared.report.withLock {
                    $0.sunk.insert(id)
                    $0.sinkDeliveries += 1
                }
            }
            try await relay.subscribe(topic: "in", group: "relay") { delivery in
                let id = delivery.message.headers["id"] ?? ""
                shared.report.withLock {
                    $0.relayed.insert(id)
                    $0.highestRelayAttempt = max($0.highestRelayAttempt, delivery.attempt)
                }
                do {
                    try await relay.publish(Message(topic: "out", headers: ["id": id, "type": "Relayed"], body: delivery.message.body))
                } catch {
                    shared.report.withLock { $0.relayFailures.append("\(id): \(error)") }
                    throw error
                }
            }
            let publishing = Task {
                try await withThrowingTaskGroup(of: Void.self) { publishers in
                    for publisher in 0..<self.publishers {
                        publishers.addTask {
                            var index = 0
                            while !shared.stop.load(ordering: .relaxed) {
                                index += 1
                                let id = "p\(publisher)-\(index)"
                                do {
                                    try await source.publish(Message(topic: "in", headers: ["id": id, "type": "Placed"], body: Array(id.utf8)))
                                    let count = shared.report.withLock { report in
                                        report.confirmed.insert(id)
                                        return report.confirmed.count
                                    }
                                    progress.append(count)
                                } catch {
                                    shared.report.withLock { $0.failed.append("\(id): \(error)") }
                                    // A bus that fails at once during the outage must not spin here.
                                    try await Task.sleep(for: .milliseconds(100))
                                }
                            }
                        }
                    }
                    try await publishers.waitForAll()
                }
            }
            defer { publishing.cancel() }
            _ = try await progress.wait(for: before, "confirmed publishes before the outage")
            try await waitUntil(limit: .seconds(30), "the sink to see messages before the outage") { shared.report.withLock { !$0.sunk.isEmpty } }
            shared.report.withLock { report in
                report.confirmedAtKill = report.confirmed.count
                report.sunkAtKill = report.sunk.count
            }
            try await outage()
            let confirmedAfterRestart = shared.report.withLock { $0.confirmed.count }
            _ = try await progress.wait(for: confirmedAfterRestart + after, "confirmed publishes after the outage")
            shared.stop.store(true, ordering: .relaxed)
            try await publishing.value
            // Not a failure here: the report says what is missing.
            try? await waitUntil(limit: drainLimit, "every confirmed message at the sink") { shared.report.withLock { $0.lost.isEmpty } }
            // Then the system drains: asked of the instance subscribed to nothing (at most 20 s).
            var left = try await pending(source)
            let deadline = ContinuousClock.now + .seconds(20)
            while left > 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                left = try await pending(source)
            }
            var result = shared.report.withLock { $0 }
            result.pendingAtEnd = left
            result.deadLetters = try await deadLetters(sink)
            return result
        }
    }

    private final class Shared: Sendable {
        let report = Mutex(Report())
        let stop = Atomic(false)
    }

    /// Polls `condition` every 20 ms until it holds; fails after `limit` (a safety net).
    private func waitUntil(limit: Duration, _ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            try check(ContinuousClock.now < deadline, "waited \(limit) for \(what)")
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
