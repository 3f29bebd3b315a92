/// A message on a bus: a body plus headers (CloudEvents binary mode, see ``MessageHeader``).
public struct Message: Sendable, Hashable {
    /// The topic (destination) the message was published to.
    public var topic: String
    /// Headers, lower-case names. Trace context, correlation and causation travel here.
    public var headers: [String: String]
    /// The payload.
    public var body: [UInt8]

    public init(topic: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.topic = topic
        self.headers = headers
        self.body = body
    }
}

/// One delivery of a message to a consumer group.
public struct Delivery: Sendable {
    /// The delivered message.
    public var message: Message
    /// 1 for the first delivery, incremented on every redelivery after a failed attempt.
    public var attempt: Int
    /// The attempt after which the bus dead-letters the message instead of retrying.
    public var maxAttempts: Int

    public init(message: Message, attempt: Int, maxAttempts: Int) {
        self.message = message
        self.attempt = attempt
        self.maxAttempts = maxAttempts
    }

    /// True when a failure of this attempt dead-letters the message.
    public var isLastAttempt: Bool { attempt >= maxAttempts }
}

/// A handler of deliveries. Throwing asks the bus to retry (or dead-letter on the last attempt).
public typealias MessageHandler = @Sendable (Delivery) async throws -> Void

/// A publish/subscribe message bus with at-least-once delivery.
///
/// Every subscriber group receives every message published to its topic; within one group,
/// one consumer handles each delivery. A handler that throws gets the message again, up to
/// the bus's maximum of attempts, then the message is dead-lettered.
public protocol MessageBus: Sendable {
    /// Publishes a message. Returns once the bus has accepted it (durably, for durable buses).
    func publish(_ message: Message) async throws

    /// Subscribes a consumer group to a topic. Deliveries run `handler` concurrently.
    func subscribe(topic: String, group: String, handler: @escaping MessageHandler) async throws
}
