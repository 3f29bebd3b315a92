import ChoreoInstrumentation
import Foundation

/// The shared bus test suite: every ``MessageBus`` implementation must pass each check.
/// Test targets call the checks from their own `@Test` functions with their ``BusFixture``;
/// a check throws a ``ConformanceFailure`` (or the bus's error) when it does not hold.
public struct BusConformance<Fixture: BusFixture>: Sendable {
    /// The bus under test.
    public let fixture: Fixture

    /// Creates the suite for `fixture`.
    public init(_ fixture: Fixture) {
        self.fixture = fixture
    }

    /// The names of the checks, for parameterised tests.
    public static var checks: [String] {
        ["delivery", "acknowledgement", "retry", "dead letter", "redelivery after a crash", "consumer groups", "duplicate on request"]
    }

    /// Runs the check named `name` (one of ``checks``).
    public func run(_ name: String) async throws {
        switch name {
        case "delivery": try await delivery()
        case "acknowledgement": try await acknowledgement()
        case "retry": try await retry()
        case "dead letter": try await deadLetter()
        case "redelivery after a crash": try await redeliveryAfterCrash()
        case "consumer groups": try await consumerGroups()
        case "duplicate on request": try await duplicateOnRequest()
        default: throw ConformanceFailure("no check named '\(name)'")
        }
    }

    /// Runs a fresh bus instance while `body` runs, then stops it.
    func withRunningBus<T: Sendable>(_ body: (Fixture.Bus) async throws -> T) async throws -> T {
        let bus = try await fixture.makeBus()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await fixture.run(bus) }
            defer { group.cancelAll() }
            do {
                return try await body(bus)
            } catch {
                FileHandle.standardError.write(Data("conformance check failed: \(String(reflecting: error))\n".utf8))
                throw error
            }
        }
    }

    /// A topic name no other check uses.
    static func topic(_ check: String) -> String {
        "conformance-\(check)-\(UInt32.random(in: 0...UInt32.max))"
    }

    static func message(_ topic: String, _ index: Int) -> Message {
        Message(
            topic: topic,
            headers: [
                "id": "m-\(index)", "type": "Tested", "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                "tracestate": "vendor=a=b,other=c", "baggage": "user=ü%20x", "x-Mixed-Case": "Value with spaces and \"quotes\"",
            ],
            body: Array("body \(index) ✓".utf8) + [0, 255, 10]
        )
    }

    /// Every message published to a subscribed topic reaches the group once, on attempt 1,
    /// with its headers and body exactly as published.
    public func delivery() async throws {
        try await withRunningBus { bus in
            let topic = Self.topic("delivery")
            let seen = Probe<Delivery>()
            try await bus.subscribe(topic: topic, group: "g") { seen.append($0) }
            let sent = (1...5).map { Self.message(topic, $0) }
            for message in sent { try await bus.publish(message) }
            let got = try await seen.wait(for: sent.count, "deliveries")
            try check(Set(got.map(\.message)) == Set(sent), "delivered messages differ from those published: \(got.map(\.message))")
            try check(got.allSatisfy { $0.attempt == 1 && $0.maxAttempts == fixture.maxAttempts }, "first deliveries are attempt 1 of maxAttempts")
        }
    }

    /// A delivery whose handler returns is acknowledged: it is not delivered again and nothing
    /// stays pending.
    public func acknowledgement() async throws {
        try await withRunningBus { bus in
            let topic = Self.topic("ack")
            let seen = Probe<String>()
            try await bus.subscribe(topic: topic, group: "g") { seen.append($0.message.headers["id"] ?? "") }
            for index in 1...10 { try await bus.publish(Self.message(topic, index)) }
            _ = try await seen.wait(for: 10, "deliveries")
            try await waitUntilNothingPending(bus)
            // A later message is handled after the first ten were acknowledged; none of them comes back.
            try await bus.publish(Self.message(topic, 11))
            let all = try await seen.wait(for: 11, "deliveries")
            try await waitUntilNothingPending(bus)
            try check(all.count == 11 && Set(all).count == 11, "each message handled once, saw \(all)")
            try check(try await fixture.deadLetters(bus).filter { $0.message.topic == topic }.isEmpty, "no dead letters")
        }
    }

    /// A handler that throws gets the message again with the next attempt number, until it succeeds.
    public func retry() async throws {
        try await withRunningBus { bus in
            let topic = Self.topic("retry")
            let attempts = Probe<Int>()
            let failures = min(2, fixture.maxAttempts - 1)
            try await bus.subscribe(topic: topic, group: "g") { delivery in
                attempts.append(delivery.attempt)
                if delivery.attempt <= failures { throw ConformanceFailure("planned failure \(delivery.attempt)") }
            }
            try await bus.publish(Self.message(topic, 1))
            let seen = try await attempts.wait(for: failures + 1, "attempts")
            try await waitUntilNothingPending(bus)
            try check(attempts.values == Array(1...(failures + 1)), "attempts \(seen), expected 1...\(failures + 1)")
            try check(try await fixture.deadLetters(bus).filter { $0.message.topic == topic }.isEmpty, "no dead letters")
        }
    }

    /// A handler that fails every attempt: after maxAttempts the message is dead-lettered,
    /// with the group, the attempts, the error and the message intact.
    public func deadLetter() async throws {
        try await withRunningBus { bus in
            let topic = Self.topic("dead")
            let attempts = Probe<Int>()
            try await bus.subscribe(topic: topic, group: "g") { delivery in
                attempts.append(delivery.attempt)
                throw ConformanceFailure("always fails")
            }
            let sent = Self.message(topic, 1)
            try await bus.publish(sent)
            _ = try await attempts.wait(for: fixture.maxAttempts, "attempts")
            try await waitUntilNothingPending(bus)
            try check(attempts.values == Array(1...fixture.maxAttempts), "attempts \(attempts.values)")
            let letters = try await fixture.deadLetters(bus).filter { $0.message.topic == topic }
            try check(letters.count == 1, "one dead letter, got \(letters.count)")
            let letter = letters[0]
            try check(letter.message == sent, "the dead letter holds the message as published: \(letter.message)")
            try check(letter.group == "g" && letter.attempts == fixture.maxAttempts, "group g after \(fixture.maxAttempts) attempts: \(letter)")
            try check(letter.errorType == "ConformanceFailure" && letter.errorDescription.contains("always fails"), "error recorded: \(letter)")
        }
    }

    /// Returns once no delivery is pending (safety limit 60 s).
    func waitUntilNothingPending(_ bus: Fixture.Bus) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var pending = try await fixture.pending(bus)
        while pending > 0 {
            try check(clock.now < deadline, "\(pending) deliveries still pending after 60 s")
            try await Task.sleep(for: .milliseconds(10))
            pending = try await fixture.pending(bus)
        }
    }
}
