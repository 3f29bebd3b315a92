import ChoreoInstrumentation

/// A broker-backed bus the order-fulfilment run can drive (RabbitMQ, NATS JetStream): each
/// service, the driver and the truth observer get an instance of their own, as separate
/// processes would, and the run inspects the broker through it.
public protocol BrokerBus: MessageBus {
    /// Runs the bus's connections until cancelled (publish and subscribe wait until it runs).
    func run() async throws

    /// The messages in the dead letters, oldest first (at most `limit`), without removing them.
    func deadLetters(limit: Int) async throws -> [DeadLetter]

    /// How many deliveries to `subscriptions` the broker still holds ready (or, where the
    /// broker can count them, also unacknowledged), including those waiting for a retry.
    func pendingDeliveries(of subscriptions: [BrokerSubscription]) async throws -> Int
}

/// A consumer group's subscription to a topic.
public struct BrokerSubscription: Sendable, Hashable {
    /// The topic.
    public var topic: String
    /// The consumer group.
    public var group: String

    /// Creates a subscription.
    public init(topic: String, group: String) {
        self.topic = topic
        self.group = group
    }
}
