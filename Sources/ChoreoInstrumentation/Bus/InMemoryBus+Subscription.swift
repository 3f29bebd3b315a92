import Synchronization

extension InMemoryBus {
    /// One consumer group on one topic: its bounded queue, the competing consumers of the
    /// group, and the deliveries they are handling (so that a crash can take them back).
    final class Subscription: Sendable {
        let topic: String
        let group: String
        let queue: BoundedQueue<Delivery>
        private let consumers: Mutex<Consumers>

        private struct Consumers {
            var handlers: [MessageHandler]
            var next = 0
            /// Deliveries being handled, by ticket.
            var handling: [UInt64: Delivery] = [:]
            /// Workers waiting for a consumer to subscribe, by ticket.
            var waiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
            var nextTicket: UInt64 = 0

            mutating func ticket() -> UInt64 {
                nextTicket += 1
                return nextTicket
            }
        }

        init(topic: String, group: String, capacity: Int, handler: @escaping MessageHandler) {
            self.topic = topic
            self.group = group
            self.queue = BoundedQueue(capacity: capacity)
            self.consumers = Mutex(Consumers(handlers: [handler]))
        }

        /// Adds a competing consumer: the group's deliveries are spread over its handlers.
        func add(_ handler: @escaping MessageHandler) {
            let waiting = consumers.withLock { state in
                state.handlers.append(handler)
                defer { state.waiters = [:] }
                return Array(state.waiters.values)
            }
            for waiter in waiting { waiter.resume(returning: true) }
        }

        /// The handler for `delivery` (round robin over the consumers) and the ticket to hand
        /// to ``finish(_:)``; waits while the group has no consumer; nil once cancelled.
        func claim(_ delivery: Delivery) async -> (handler: MessageHandler, ticket: UInt64)? {
            while true {
                if let claimed = take(delivery) { return claimed }
                guard await waitForConsumer() else { return nil }
            }
        }

        /// Returns true once the group has a consumer (at once if it has one); false if cancelled first.
        private func waitForConsumer() async -> Bool {
            let id = consumers.withLock { $0.ticket() }
            return await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                    let ready: Bool? = consumers.withLock { state in
                        if !state.handlers.isEmpty { return true }
                        if Task.isCancelled { return false }
                        state.waiters[id] = continuation
                        return nil
                    }
                    if let ready { continuation.resume(returning: ready) }
                }
            } onCancel: {
                consumers.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: false)
            }
        }

        /// Takes the next handler and records `delivery` as being handled; nil without consumers.
        private func take(_ delivery: Delivery) -> (handler: MessageHandler, ticket: UInt64)? {
            consumers.withLock { state in
                guard !state.handlers.isEmpty else { return nil }
                let handler = state.handlers[state.next % state.handlers.count]
                state.next &+= 1
                let ticket = state.ticket()
                state.handling[ticket] = delivery
                return (handler, ticket)
            }
        }

        /// Ends the handling of a claimed delivery: true if it is still this worker's to settle,
        /// false if a crash of its consumer abandoned it meanwhile.
        func finish(_ ticket: UInt64) -> Bool {
            consumers.withLock { $0.handling.removeValue(forKey: ticket) != nil }
        }

        /// Removes every consumer of the group and returns the deliveries they were handling,
        /// which their handlers can no longer settle.
        func crash() -> [Delivery] {
            consumers.withLock { state in
                state.handlers = []
                defer { state.handling = [:] }
                return Array(state.handling.values)
            }
        }
    }

    /// Work for the run loop's task group.
    enum Event: Sendable {
        /// Start the workers of a new subscription.
        case subscribed(Subscription)
        /// Start `count` workers for a subscription, in place of workers stuck in abandoned handlers.
        case replaceWorkers(Subscription, count: Int)
        /// Redeliver after a delay.
        case retry(Delivery, Subscription, after: Duration)
    }
}
