import ChoreoInstrumentation
import Tracing

/// What sits between the publisher and the bus.
enum Variant: String, CaseIterable, Sendable {
    /// `InMemoryBus` with no middleware.
    case raw = "raw InMemoryBus"
    /// `TracedBus` around it, with no tracer bootstrapped (swift-distributed-tracing's `NoOpTracer`).
    case tracedNoOp = "TracedBus + NoOpTracer"
    /// `TracedBus` around it, with `ChoreoTracer` scoped by `withTracer` (spans queued, export discarded).
    case tracedChoreo = "TracedBus + ChoreoTracer"
    /// `TracedBus` around it, with swift-otel's tracer scoped by `withTracer` (no exporter).
    case tracedOTel = "TracedBus + swift-otel"
}

/// One run: publish `messages` messages on one topic with one consumer group, and wait until
/// every one has been handled. The handler does nothing, so the time is the bus's plus the
/// middleware's.
struct BusScenario: Sendable {
    var messages: Int
    var bodySize: Int

    /// Runs once and returns after every message was handled. The tracer in effect is whatever
    /// the caller's task has (task-local `withTracer`, or the `NoOpTracer` default).
    func run(traced: Bool, afterIdle: @Sendable () async -> Void = {}) async throws {
        let bus = try InMemoryBus()
        let body = [UInt8](repeating: 0x2a, count: bodySize)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await bus.run() }
            if traced {
                let traced = TracedBus(bus, service: "bench")
                try await traced.subscribe(topic: "orders", group: "consumer") { _ in }
                for _ in 0..<messages {
                    try await traced.publish(Message(topic: "orders", headers: ["type": "OrderPlaced"], body: body))
                }
            } else {
                try await bus.subscribe(topic: "orders", group: "consumer") { _ in }
                for _ in 0..<messages {
                    try await bus.publish(Message(topic: "orders", headers: ["type": "OrderPlaced"], body: body))
                }
            }
            try await bus.waitUntilIdle()
            await afterIdle()
            precondition(bus.statistics.handled == messages, "handled \(bus.statistics.handled) of \(messages)")
            group.cancelAll()
        }
    }
}
