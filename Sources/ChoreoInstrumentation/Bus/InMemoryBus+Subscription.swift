import Synchronization

extension InMemoryBus {
    /// One consumer group on one topic: its bounded queue and the competing consumers of the group.
    final class Subscription: Sendable {
        let topic: String
        let group: String
        let queue: BoundedQueue<Delivery>
        private let handlers: Mutex<(all: [MessageHandler], next: Int)>

        init(topic: String, group: String, capacity: Int, handler: @escaping MessageHandler) {
            self.topic = topic
            self.group = group
            self.queue = BoundedQueue(capacity: capacity)
            self.handlers = Mutex(([handler], 0))
        }

        /// Adds a competing consumer: the group's deliveries are spread over its handlers.
        func add(_ handler: @escaping MessageHandler) {
            handlers.withLock { $0.all.append(handler) }
        }

        /// The handler for the next delivery, round robin.
        func nextHandler() -> MessageHandler {
            handlers.withLock { state in
                let handler = state.all[state.next % state.all.count]
                state.next &+= 1
                return handler
            }
        }
    }

    /// Work for the run loop's task group.
    enum Event: Sendable {
        /// Start the workers of a new subscription.
        case subscribed(Subscription)
        /// Redeliver after a delay.
        case retry(Delivery, Subscription, after: Duration)
    }
}
