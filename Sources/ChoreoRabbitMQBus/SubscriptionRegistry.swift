import Synchronization

/// The subscriptions of one bus instance: declared again after every reconnect, counted by
/// ``RabbitMQBus/pendingDeliveries()``, and the deliveries being handled.
final class SubscriptionRegistry: Sendable {
    /// A consumer group's subscription to a topic (one queue).
    struct Key: Sendable, Hashable {
        var topic: String
        var group: String
    }

    private struct State {
        var keys: [Key] = []
        var links: [ConsumerLink] = []
        var handling = 0
    }

    private let state = Mutex(State())

    /// Every distinct subscription, in the order first made.
    var all: [Key] { state.withLock { $0.keys } }

    /// Every consumer link (one per ``RabbitMQBus/subscribe(topic:group:handler:)`` call).
    var links: [ConsumerLink] { state.withLock { $0.links } }

    func add(_ link: ConsumerLink) {
        state.withLock { state in
            if !state.keys.contains(link.subscription) { state.keys.append(link.subscription) }
            state.links.append(link)
        }
    }

    /// Deliveries received and not yet acknowledged, retried or dead-lettered.
    var handling: Int { state.withLock { $0.handling } }

    func began() { state.withLock { $0.handling += 1 } }

    func ended() { state.withLock { $0.handling -= 1 } }
}
