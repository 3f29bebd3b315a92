import ChoreoInstrumentation
import Synchronization

extension OrderFulfilmentSystem {
    /// The consumer groups subscribed to each topic when the services of `style` run, by
    /// topic: what the services subscribe, read off their own `start` (on a bus that only
    /// records subscriptions), so the table cannot drift from the code.
    public static func consumers(style: ChoreographyStyle) async throws -> [String: Set<String>] {
        let log = SubscriptionLog()
        _ = try await startServices(on: log, style: style, recorder: TruthRecorder(), timers: BusinessTimers(clock: ContinuousClock(), dayLength: .seconds(1)))
        return log.subscriptions
    }
}

/// A bus that only records which group subscribes to which topic; publishing is an error.
final class SubscriptionLog: MessageBus, Sendable {
    private let state = Mutex<[String: Set<String>]>([:])

    var subscriptions: [String: Set<String>] { state.withLock { $0 } }

    func publish(_ message: Message) async throws {
        throw BusError(.notRunning, "SubscriptionLog records subscriptions only; nothing is published")
    }

    func subscribe(topic: String, group: String, handler: @escaping MessageHandler) async throws {
        state.withLock { _ = $0[topic, default: []].insert(group) }
    }
}
