import ChoreoInstrumentation
import ChoreoModel
import Foundation
import Synchronization

/// A durable publish/subscribe bus on RabbitMQ (AMQP 0-9-1 through rabbitmq-c), for services in
/// separate processes and in other languages, with the same contract as ``InMemoryBus``:
/// at-least-once delivery with acknowledgements, retries with exponential backoff up to a
/// maximum of attempts, then a dead-letter queue.
///
/// Design (names in ``Topology``, metadata in ``MessageMapping``):
/// - **Topic exchange, a queue per group.** ``publish(_:)`` sends to the `PREFIX.events` topic
///   exchange with the topic as routing key. ``subscribe(topic:group:handler:)`` declares the
///   durable queue `PREFIX/GROUP/TOPIC` bound by the topic, so a group whose processes are down
///   keeps its backlog; the group's consumers (in any process) share the queue.
/// - **Publisher confirms.** ``publish(_:)`` returns once the broker confirmed the (persistent)
///   message; a message the broker could not route (no group subscribed yet) is dropped by it.
/// - **Manual acks.** A delivery is acknowledged after its handler returned. A consumer whose
///   connection drops (its process died) acknowledged nothing: the broker hands the delivery
///   to another consumer of the group, unchanged.
/// - **Retries.** The attempt number travels in the `x-choreo-attempt` header, so it survives
///   any crash. A handler that throws gets its message republished (confirmed) to the retry
///   exchange of its backoff delay with attempt + 1, then the delivery is acknowledged; the
///   retry queue's TTL dead-letters it back into the group's queue after the delay. After the
///   last attempt it goes to `PREFIX.dead-letters` with the group and the error.
/// - **Threads.** rabbitmq-c blocks, so every connection runs on a dedicated thread
///   (``LinkThread``): one publishing connection per bus, one consuming connection per
///   subscription. Each reconnects with backoff when the broker goes away and declares its
///   topology again; unconfirmed publishes are sent again, so no confirmed message is lost.
///
/// Call ``run()`` from a task you own; ``publish(_:)`` and ``subscribe(topic:group:handler:)``
/// wait (up to ``Configuration/publishTimeout``) until it runs. Retry delays are measured by
/// the broker's clock, not an injected one.
public final class RabbitMQBus: MessageBus, Sendable {
    /// The bus's broker and tuning.
    public let configuration: Configuration
    let topology: Topology
    let registry = SubscriptionRegistry()
    let publisher: PublisherLink
    let running = ReadyGate()
    let events: AsyncStream<Subscription>
    let eventSink: AsyncStream<Subscription>.Continuation
    private let started = Mutex(false)

    /// A subscription handed from ``subscribe(topic:group:handler:)`` to ``run()``.
    struct Subscription: Sendable {
        var key: SubscriptionRegistry.Key
        var handler: MessageHandler
    }

    /// Creates a bus; nothing connects before ``run()``.
    ///
    /// - Throws: ``BusError`` `invalidConfiguration` if a value is out of range.
    public init(configuration: Configuration) throws {
        try configuration.validate()
        self.configuration = configuration
        topology = Topology(prefix: configuration.prefix)
        publisher = PublisherLink(configuration: configuration, registry: registry)
        (events, eventSink) = AsyncStream.makeStream(of: Subscription.self)
    }

    /// Publishes a message to its topic and returns once RabbitMQ confirmed it.
    ///
    /// - Throws: ``BusError`` `invalidConfiguration` for a topic or header name over 255 bytes;
    ///   `unavailable` when no confirm arrived within ``Configuration/publishTimeout``;
    ///   `notRunning` when ``run()`` ended (or never started within that time).
    public func publish(_ message: Message) async throws {
        guard !message.topic.isEmpty, message.topic.utf8.count <= 255 else {
            throw BusError(.invalidConfiguration, "topic '\(message.topic.prefix(40))' must be 1 to 255 bytes (an AMQP routing key)")
        }
        if let long = message.headers.keys.first(where: { $0.utf8.count > 255 }) {
            throw BusError(.invalidConfiguration, "header name '\(long.prefix(40))…' is longer than 255 bytes (an AMQP table key)")
        }
        try await running.wait(timeout: configuration.publishTimeout)
        let outgoing = MessageMapping.outgoing(
            message, exchange: topology.eventsExchange, routingKey: message.topic, timestamp: UInt64(max(0, Date().timeIntervalSince1970)))
        try await publisher.publish(outgoing)
    }

    /// Subscribes a consumer group to a topic: declares the group's durable queue and its binding
    /// (from now on, messages to the topic are kept for the group) and starts a consumer in this
    /// process. Subscribing the same group again adds a competing consumer.
    public func subscribe(topic: String, group: String, handler: @escaping MessageHandler) async throws {
        try topology.validate(topic: topic, group: group)
        try await running.wait(timeout: configuration.publishTimeout)
        let topology = topology
        try await publisher.perform { connection in
            try topology.declareSubscription(topic: topic, group: group, on: connection, channel: PublisherLink.inspectChannel)
        }
        eventSink.yield(Subscription(key: .init(topic: topic, group: group), handler: handler))
    }

    /// Marks the bus started; false if it was already.
    func markStarted() -> Bool {
        started.withLock { started in
            defer { started = true }
            return !started
        }
    }
}
