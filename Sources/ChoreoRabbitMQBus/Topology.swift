import ChoreoInstrumentation

/// The exchanges and queues of a bus, named after its ``RabbitMQBus/Configuration/prefix``:
///
/// - `PREFIX.events`, a durable topic exchange: every message is published to it with its topic
///   as the routing key;
/// - `PREFIX/GROUP/TOPIC`, one durable queue per consumer group and topic, bound to the
///   events exchange by the topic (the group's consumers share it);
/// - `PREFIX.retry.Nms`, a fanout exchange and a durable queue per retry delay N with
///   `x-message-ttl` N and `x-dead-letter-exchange` "" (the default exchange): a failed
///   delivery is republished there with the group's queue as routing key, waits N ms, and
///   RabbitMQ dead-letters it back into that queue only;
/// - `PREFIX.dead-letters`, a fanout exchange and a durable queue holding the messages that
///   failed every attempt.
struct Topology: Sendable, Hashable {
    let prefix: String

    var eventsExchange: String { "\(prefix).events" }
    var deadLetterExchange: String { "\(prefix).dead-letters" }
    var deadLetterQueue: String { "\(prefix).dead-letters" }

    func queue(topic: String, group: String) -> String { "\(prefix)/\(group)/\(topic)" }

    func retryExchange(milliseconds: Int) -> String { "\(prefix).retry.\(milliseconds)ms" }

    /// Throws a ``BusError`` unless `topic` and `group` make a valid routing key and queue name.
    func validate(topic: String, group: String) throws {
        guard !topic.isEmpty, topic.utf8.count <= 255 else {
            throw BusError(.invalidConfiguration, "topic '\(topic.prefix(40))' must be 1 to 255 bytes (an AMQP routing key)")
        }
        guard !group.isEmpty, !group.contains("/") else {
            throw BusError(.invalidConfiguration, "group '\(group.prefix(40))' must be non-empty and must not contain '/'")
        }
        guard queue(topic: topic, group: group).utf8.count <= 255 else {
            throw BusError(.invalidConfiguration, "queue name for group '\(group.prefix(40))' and topic '\(topic.prefix(40))' is longer than 255 bytes")
        }
    }

    /// Declares the exchanges, the dead-letter queue and one retry queue per delay.
    func declareBase(on connection: AMQPConnection, channel: UInt16, retryDelays: Set<Int>) throws {
        try connection.declareExchange(eventsExchange, type: "topic", channel: channel)
        try connection.declareExchange(deadLetterExchange, type: "fanout", channel: channel)
        try connection.declareQueue(deadLetterQueue, channel: channel)
        try connection.bind(queue: deadLetterQueue, exchange: deadLetterExchange, key: "", channel: channel)
        for delay in retryDelays.sorted() {
            let name = retryExchange(milliseconds: delay)
            try connection.declareExchange(name, type: "fanout", channel: channel)
            try connection.declareQueue(
                name, arguments: [("x-message-ttl", .int(Int64(delay))), ("x-dead-letter-exchange", .string(""))], channel: channel)
            try connection.bind(queue: name, exchange: name, key: "", channel: channel)
        }
    }

    /// Declares a group's queue for `topic` and binds it to the events exchange.
    func declareSubscription(topic: String, group: String, on connection: AMQPConnection, channel: UInt16) throws {
        try connection.declareExchange(eventsExchange, type: "topic", channel: channel)
        let name = queue(topic: topic, group: group)
        try connection.declareQueue(name, channel: channel)
        try connection.bind(queue: name, exchange: eventsExchange, key: topic, channel: channel)
    }
}
