import Synchronization

/// A publish/subscribe bus in process memory with at-least-once delivery, retries with
/// exponential backoff and a dead-letter list.
///
/// - Every consumer group subscribed to a topic receives each message published to it after
///   the group subscribed; subscribing the same group again adds a competing consumer, and
///   the group still handles each message once.
/// - Each subscription runs up to ``Configuration/concurrencyPerSubscription`` deliveries at once.
/// - A handler that throws gets the message again after ``Configuration/backoff(afterAttempt:)``,
///   measured on the injected clock; after ``Configuration/maxAttempts`` failed attempts the
///   message goes to ``deadLetters``.
/// - Queues are bounded: when a subscription's queue is full, ``publish(_:)`` suspends until
///   there is room (backpressure, nothing is dropped). A handler that publishes into a full
///   queue waits too, so keep the capacity above the messages a flow has in flight.
/// - A message published to a topic without subscribers is dropped and counted
///   (``Statistics/unrouted``); ``hasSubscribers(topic:)`` tells a publisher beforehand.
/// - Faults on demand, for testing consumers: ``pause(group:)`` and ``resume(group:)`` stop
///   and restart a consumer group (an outage: its backlog waits and drains on resume), and the
///   ``duplicateDeliveryHeader`` asks for one extra delivery after a successful one (a lost
///   acknowledgement), which an idempotent consumer must ignore. ``crashConsumers(group:)``
///   kills a group's consumers mid-handling: what they were handling is handed to the next
///   consumer of the group that subscribes.
///
/// Deliveries run only while ``run()`` runs; it owns every task of the bus. Publish and
/// subscribe work before it starts (messages wait in the queues).
public final class InMemoryBus: MessageBus, Sendable {
    /// The bus's tuning.
    public let configuration: Configuration
    let clock: any Clock<Duration>
    let tracker = DeliveryTracker()
    let events: AsyncStream<Event>
    let eventSink: AsyncStream<Event>.Continuation

    struct State {
        var subscriptions: [String: [Subscription]] = [:]
        var deadLetters: [DeadLetter] = []
        var statistics = Statistics()
        var started = false
    }

    let state = Mutex(State())

    /// Creates a bus; backoff delays are measured on `clock` (inject a test clock in tests).
    ///
    /// - Throws: ``BusError`` with code `invalidConfiguration` if a value is out of range.
    public init(configuration: Configuration = Configuration(), clock: any Clock<Duration> = ContinuousClock()) throws {
        try configuration.validate()
        self.configuration = configuration
        self.clock = clock
        (events, eventSink) = AsyncStream.makeStream(of: Event.self)
    }

    /// Hands the message to every subscription of its topic; suspends while a queue is full.
    public func publish(_ message: Message) async throws {
        let subscriptions = state.withLock { state in
            let subscriptions = state.subscriptions[message.topic] ?? []
            state.statistics.published += 1
            if subscriptions.isEmpty { state.statistics.unrouted += 1 }
            return subscriptions
        }
        let delivery = Delivery(message: message, attempt: 1, maxAttempts: configuration.maxAttempts)
        for subscription in subscriptions {
            tracker.begin(subscription.group)
            do {
                try await subscription.queue.push(delivery)
            } catch {
                tracker.end(subscription.group)
                throw error
            }
        }
    }

    /// Subscribes a consumer group to a topic; a second call for the same group adds a competing consumer.
    public func subscribe(topic: String, group: String, handler: @escaping MessageHandler) async throws {
        let created = state.withLock { state -> Subscription? in
            if let existing = state.subscriptions[topic]?.first(where: { $0.group == group }) {
                existing.add(handler)
                return nil
            }
            let subscription = Subscription(
                topic: topic, group: group, capacity: configuration.queueCapacity, handler: handler
            )
            state.subscriptions[topic, default: []].append(subscription)
            return subscription
        }
        if let created { eventSink.yield(.subscribed(created)) }
    }

    /// Returns once every published message has been handled or dead-lettered by every group,
    /// including pending retries. Needs ``run()`` to be running to make progress.
    ///
    /// - Throws: `CancellationError` if the waiting task is cancelled.
    public func waitUntilIdle() async throws {
        try await tracker.waitUntilIdle()
    }

    /// The dead-lettered messages, oldest first (bounded by ``Configuration/deadLetterCapacity``).
    public var deadLetters: [DeadLetter] { state.withLock { $0.deadLetters } }

    /// The bus's counters.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Deliveries queued, running or waiting for a retry.
    public var pendingDeliveries: Int { tracker.pending }
}
