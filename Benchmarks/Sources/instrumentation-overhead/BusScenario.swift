import ChoreoInstrumentation
import Synchronization
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
    /// No `TracedBus`: the raw bus, with the publisher and the handler doing by hand the least
    /// that `TracedBus` must do with no tracer: the `id`, `source` and `correlationid` headers
    /// added to the message (its dictionary grown once, to their count), and a
    /// ``MessageContext`` read from the delivered headers and bound around the handler. A lower
    /// bound of the `NoOpTracer` case: no instrument looked up, no alias or trace-context header
    /// looked for, no causation id.
    case floor = "raw + headers and MessageContext by hand"

    /// The row's name over `bus`: `raw InlineBus` for the raw case over ``InlineBus``.
    func label(_ bus: BusKind) -> String {
        self == .raw && bus == .inline ? "raw InlineBus" : rawValue
    }
}

/// Which bus the messages go through.
enum BusKind: String, Sendable {
    /// `InMemoryBus`: a queue per consumer group, handlers run by the bus's own tasks.
    case inMemory = "in-memory"
    /// ``InlineBus``: each message handed to its handler inside `publish`, in the publisher's task.
    case inline
}

/// A bus that hands each message to its topic's handler inside `publish`, in the publisher's
/// task: no queue, no task switch, no second thread. What is left of a traced message's cost over
/// it is the middleware's and the tracer's alone (and the tracer's export thread).
final class InlineBus: MessageBus {
    private let handlers = Mutex<[String: MessageHandler]>([:])
    private let handledCount = Atomic<Int>(0)

    var handled: Int { handledCount.load(ordering: .relaxed) }

    func subscribe(topic: String, group: String, handler: @escaping MessageHandler) async throws {
        handlers.withLock { $0[topic] = handler }
    }

    func publish(_ message: Message) async throws {
        guard let handler = handlers.withLock({ $0[message.topic] }) else { return }
        try await handler(Delivery(message: message, attempt: 1, maxAttempts: 1))
        handledCount.add(1, ordering: .relaxed)
    }
}

/// One run: publish `messages` messages on one topic with one consumer group, and wait until
/// every one has been handled. The handler does nothing, so the time is the bus's plus the
/// middleware's.
struct BusScenario: Sendable {
    var messages: Int
    var bodySize: Int
    var bus: BusKind = .inMemory

    /// Runs once and returns after every message was handled. The tracer in effect is whatever
    /// the caller's task has (task-local `withTracer`, or the `NoOpTracer` default).
    func run(traced: Bool, byHand: Bool = false, afterIdle: @Sendable () async -> Void = {}) async throws {
        if bus == .inline {
            try await runInline(traced: traced, byHand: byHand, afterIdle: afterIdle)
            return
        }
        let bus = try InMemoryBus()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await bus.run() }
            try await publishAll(through: bus, traced: traced, byHand: byHand)
            try await bus.waitUntilIdle()
            await afterIdle()
            precondition(bus.statistics.handled == messages, "handled \(bus.statistics.handled) of \(messages)")
            group.cancelAll()
        }
    }

    /// The same run over ``InlineBus``: every message is handled by the time `publish` returns.
    private func runInline(traced: Bool, byHand: Bool, afterIdle: @Sendable () async -> Void) async throws {
        let bus = InlineBus()
        try await publishAll(through: bus, traced: traced, byHand: byHand)
        await afterIdle()
        precondition(bus.handled == messages, "handled \(bus.handled) of \(messages)")
    }

    /// Subscribes the no-op handler to `bus` (through `TracedBus` when `traced`) and publishes
    /// the run's messages the same way; `byHand`: the ``Variant/floor`` case, untraced.
    private func publishAll(through bus: some MessageBus, traced: Bool, byHand: Bool = false) async throws {
        let body = [UInt8](repeating: 0x2a, count: bodySize)
        if byHand {
            try await bus.subscribe(topic: "orders", group: "consumer") { delivery in
                let headers = delivery.message.headers
                let context = MessageContext(
                    messageID: headers["id"], correlationID: headers["correlationid"] ?? "", type: headers["type"],
                    topic: "orders", group: "consumer", attempt: delivery.attempt)
                try await MessageContext.$current.withValue(context) { try await Self.handleNothing(delivery) }
            }
            for _ in 0..<messages {
                var message = Message(topic: "orders", headers: ["type": "OrderPlaced"], body: body)
                var headers = [String: String](minimumCapacity: 4)
                for (name, value) in message.headers { headers[name] = value }
                let id = MessageID.next()
                headers["id"] = id
                headers["source"] = "bench"
                headers["correlationid"] = id
                message.headers = headers
                try await bus.publish(message)
            }
        } else if traced {
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
    }

    /// The no-op handler of the ``Variant/floor`` case, not inlined into the closure around it
    /// (as `TracedBus`'s handler is a closure it calls).
    @inline(never)
    static func handleNothing(_ delivery: Delivery) async throws {}
}
