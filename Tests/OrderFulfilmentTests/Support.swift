import ChoreoInstrumentation
import OrderFulfilment
import Synchronization

/// Collects the messages a spy consumer group sees.
final class MessageLog: Sendable {
    private let messages = Mutex<[Message]>([])

    func append(_ message: Message) { messages.withLock { $0.append(message) } }
    var all: [Message] { messages.withLock { $0 } }

    func of(correlationID: String) -> [Message] {
        all.filter { $0.headers["correlationid"] == correlationID }
    }
}

/// Runs the services on a fresh in-memory bus with a spy group on every topic, places the
/// given orders one after the other and returns the truth and what went over the wire.
func runOrders(_ plans: [OrderPlan]) async throws -> (Truth, MessageLog) {
    let bus = try InMemoryBus()
    let recorder = TruthRecorder()
    let log = MessageLog()
    for type in OrderMessageType.allCases {
        try await bus.subscribe(topic: type.topic, group: "spy") { log.append($0.message) }
    }
    let checkout = try await OrderFulfilmentSystem.startServices(on: bus, recorder: recorder)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await bus.run() }
        for plan in plans {
            let orderID = try await checkout.place(plan)
            try await recorder.waitUntilEnded(orderID)
        }
        try await bus.waitUntilIdle()
        group.cancelAll()
    }
    return (recorder.truth, log)
}

/// The first plan with `scenario` for `seed`.
func plan(_ scenario: Scenario, seed: UInt64 = 1) -> OrderPlan {
    (1...).lazy.map { OrderPlan(seed: seed, index: $0) }.first { $0.scenario == scenario }!
}
