import BenchSupport
import ChoreoInstrumentation
import ChoreoModel
import Synchronization

/// One run's workload: `publishers` tasks publish `messages` messages in all (small bodies,
/// the CloudEvents headers the order-fulfilment services carry) to one topic that one consumer
/// group handles with a handler that does nothing.
struct Scenario: Sendable {
    var messages: Int
    var publishers: Int
    var bodySize: Int
    /// How long a run may wait for its last delivery before it fails (a lost message).
    var timeout: Duration

    static let topic = "orders"
    static let group = "bench"
    static let type = "OrderPlaced"

    /// Wall time (and this process's CPU time) from the first publish until the last message
    /// was handled, on `bus` (raw) or
    /// through `TracedBus` around it (with the caller's tracer, see `withTracer`). Starts the
    /// bus and subscribes before the clock starts, stops it after.
    func run<Bus: RunnableBus>(on bus: Bus, traced: Bool) async throws -> RunTiming {
        let handled = Countdown(messages)
        let body = [UInt8](repeating: 0x2a, count: bodySize)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await bus.run() }
            defer { group.cancelAll() }
            let publish: @Sendable () async throws -> Void
            if traced {
                let tracedBus = TracedBus(bus, service: "bench")
                try await tracedBus.subscribe(topic: Self.topic, group: Self.group) { _ in handled.tick() }
                publish = { try await tracedBus.publish(type: Self.type, to: Self.topic, body: body) }
            } else {
                try await bus.subscribe(topic: Self.topic, group: Self.group) { _ in handled.tick() }
                publish = {
                    // What TracedBus would add, so that both variants move the same bytes.
                    let id = MessageID.next()
                    let headers = [
                        MessageHeader.id: id, MessageHeader.type: Self.type, MessageHeader.source: "bench",
                        MessageHeader.correlationID: id,
                        MessageHeader.traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                    ]
                    try await bus.publish(Message(topic: Self.topic, headers: headers, body: body))
                }
            }
            let clock = ContinuousClock()
            let cpuStart = ProcessCPUTime.nanoseconds()
            let start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { publishing in
                for index in 0..<publishers {
                    let share = messages / publishers + (index < messages % publishers ? 1 : 0)
                    publishing.addTask {
                        for _ in 0..<share { try await publish() }
                    }
                }
                try await publishing.waitForAll()
            }
            try await handled.wait(timeout: timeout)
            let wall = start.duration(to: clock.now)
            return RunTiming(wall: wall.nanoseconds, cpu: Double(ProcessCPUTime.nanoseconds() - cpuStart))
        }
    }
}

/// One run's wall time and this process's CPU time (every thread), in nanoseconds.
struct RunTiming: Sendable {
    var wall: Double
    var cpu: Double
}

/// Counts handled deliveries and wakes the waiter at the target.
final class Countdown: Sendable {
    private struct State {
        var count = 0
        var waiter: CheckedContinuation<Void, Never>?
    }
    let target: Int
    private let state = Mutex(State())

    init(_ target: Int) { self.target = target }

    /// Deliveries handled so far (duplicates included).
    var count: Int { state.withLock { $0.count } }

    func tick() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.count += 1
            guard state.count >= target else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns once `target` deliveries were handled; throws after `timeout` without them.
    func wait(timeout: Duration) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let done = self.state.withLock { state -> Bool in
                        if state.count >= self.target { return true }
                        state.waiter = continuation
                        return false
                    }
                    if done { continuation.resume() }
                }
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let reached = try await group.next()!
            group.cancelAll()
            if !reached {
                // Let the waiting task end.
                self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                    defer { state.waiter = nil }
                    return state.waiter
                }?.resume()
                throw BenchError("handled \(count) of \(target) deliveries within \(timeout)")
            }
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
