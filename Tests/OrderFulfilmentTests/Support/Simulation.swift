import ChoreoTestSupport
import ChoreoInstrumentation
import OrderFulfilment
import Synchronization
import Testing

/// One business day in the simulations: an hour of (virtual) clock time.
let simulatedDay = Duration.seconds(3_600)

/// A message seen on the wire by the spy, with the business time it was published at.
struct WireMessage: Sendable {
    var message: Message
    /// Clock time since the run started; time cannot advance between a publish and the spy's
    /// delivery (the bus is not quiescent), so this is the publish time.
    var at: Duration

    var type: String { message.headers["type"] ?? "" }
    var days: Double { at / simulatedDay }
}

/// Collects the messages a spy consumer group sees.
final class MessageLog: Sendable {
    private let messages = Mutex<[WireMessage]>([])

    func append(_ message: WireMessage) { messages.withLock { $0.append(message) } }
    var all: [WireMessage] { messages.withLock { $0 } }

    func of(correlationID: String) -> [WireMessage] {
        all.filter { $0.message.headers["correlationid"] == correlationID }
    }

    func first(_ type: OrderMessageType, of correlationID: String) -> WireMessage? {
        of(correlationID: correlationID).first { $0.type == type.rawValue }
    }
}

/// What a simulated run left behind.
struct Simulation: Sendable {
    var truth: Truth
    var log: MessageLog
    var bus: InMemoryBus
    var clock: TestClock
}

/// Runs `plans` in simulated time (a ``TestClock``, one day = ``simulatedDay``) with a spy
/// group on every topic that has a consumer; `prepare` runs before the first order.
func simulate(
    _ plans: [OrderPlan], style: ChoreographyStyle, faults: FaultSettings = .none, concurrency: Int? = nil,
    prepare: (@Sendable (InMemoryBus) async throws -> Void)? = nil
) async throws -> Simulation {
    let clock = TestClock()
    let configuration = OrderFulfilmentSystem.Configuration(
        style: style, faults: faults, dayLength: simulatedDay, simulatedTime: true
    )
    let log = MessageLog()
    let captured = Mutex<InMemoryBus?>(nil)
    let truth = try await OrderFulfilmentSystem(configuration: configuration, clock: clock).run(
        plans: plans, concurrency: concurrency ?? max(1, plans.count),
        prepare: { bus in
            captured.withLock { $0 = bus }
            for type in OrderMessageType.allCases where bus.hasSubscribers(topic: type.topic) {
                try await bus.subscribe(topic: type.topic, group: "spy") { delivery in
                    log.append(WireMessage(message: delivery.message, at: clock.now.offset))
                }
            }
            try await prepare?(bus)
        }
    )
    return Simulation(truth: truth, log: log, bus: try #require(captured.withLock { $0 }), clock: clock)
}

/// The first plan with `scenario` (and `faults`) in `style`.
func plan(_ scenario: Scenario, faults: OrderFaults = OrderFaults(), index: Int = 1) -> OrderPlan {
    var plan = OrderPlan(seed: 1, index: index, settings: PlanSettings(mix: .only(scenario)))
    plan.details.faults = faults
    return plan
}
