import ChoreoInstrumentation
import ChoreoModel

/// How a ``Message`` travels as an AMQP message, so that services on other AMQP clients
/// (pika, amqplib, Spring AMQP) read and write the same messages.
///
/// CloudEvents headers that AMQP has a basic property for travel in that property:
///
/// | message header | AMQP basic property |
/// | --- | --- |
/// | `id` | `message_id` |
/// | `type` | `type` |
/// | `source` | `app_id` |
/// | `correlationid` | `correlation_id` |
///
/// Every other header (`traceparent`, `tracestate`, `baggage`, `causationid`, `compensates`,
/// and any of the application's) travels as a string in the headers table, its name unchanged.
/// A value longer than a property holds (255 bytes) stays in the headers table. Every message
/// is persistent (`delivery_mode` 2) and carries `timestamp`, the publish time in seconds.
///
/// Reading, a property fills its header, and the table the rest (numbers and booleans as text).
/// The bus's own bookkeeping travels in headers named `x-choreo-…` (``BusHeader``), and
/// RabbitMQ's dead-lettering adds `x-death` and `x-first-death-…`/`x-last-death-…`: none of
/// them become message headers, so a message arrives with exactly the headers it was published with.
/// The exception is `x-choreo-duplicate-to` (``ChoreoInstrumentation/InMemoryBus/duplicateDeliveryHeader``):
/// the publisher set it, so it is the message's, and it reaches the handler like any header.
enum MessageMapping {
    /// The longest value an AMQP short string (a basic property) holds.
    static let shortStringLimit = 255

    /// The AMQP message for `message`, with the bus's own headers added.
    static func outgoing(
        _ message: Message, exchange: String, routingKey: String, busHeaders: [String: AMQPValue] = [:], timestamp: UInt64
    ) -> OutgoingMessage {
        var properties = AMQPProperties(timestamp: timestamp)
        for (name, value) in message.headers {
            let fits = value.utf8.count <= shortStringLimit
            switch name {
            case MessageHeader.id where fits: properties.messageID = value
            case MessageHeader.type where fits: properties.type = value
            case MessageHeader.source where fits: properties.appID = value
            case MessageHeader.correlationID where fits: properties.correlationID = value
            default: properties.headers[name] = .string(value)
            }
        }
        for (name, value) in busHeaders { properties.headers[name] = value }
        return OutgoingMessage(exchange: exchange, routingKey: routingKey, properties: properties, body: message.body)
    }

    /// The message a received AMQP message carries, and the bus's headers on it.
    static func message(_ incoming: IncomingMessage) -> (Message, BusHeaders) {
        let properties = incoming.properties
        var headers: [String: String] = [:]
        var bus = BusHeaders()
        for (name, value) in properties.headers {
            if name.hasPrefix(BusHeader.prefix), name != InMemoryBus.duplicateDeliveryHeader {
                bus.read(name, value)
            } else if !isBrokerHeader(name), let text = value.text {
                headers[name] = text
            }
        }
        if let id = properties.messageID { headers[MessageHeader.id] = id }
        if let type = properties.type { headers[MessageHeader.type] = type }
        if let source = properties.appID { headers[MessageHeader.source] = source }
        if let correlationID = properties.correlationID { headers[MessageHeader.correlationID] = correlationID }
        return (Message(topic: bus.topic ?? incoming.routingKey, headers: headers, body: incoming.body), bus)
    }

    /// Headers RabbitMQ adds when it dead-letters a message.
    static func isBrokerHeader(_ name: String) -> Bool {
        name == "x-death" || name.hasPrefix("x-first-death-") || name.hasPrefix("x-last-death-")
    }
}

/// Names of the bus's own headers.
enum BusHeader {
    static let prefix = "x-choreo-"
    /// The attempt this delivery is (absent: 1). Survives a consumer crash: it is in the message.
    static let attempt = "x-choreo-attempt"
    /// The topic the message was published to (on retries and dead letters, whose routing key differs).
    static let topic = "x-choreo-topic"
    /// On a dead letter: the consumer group that gave up.
    static let group = "x-choreo-group"
    /// On a dead letter: the type name of the last attempt's error.
    static let errorType = "x-choreo-error-type"
    /// On a dead letter: the last attempt's error.
    static let error = "x-choreo-error"
}

/// The bus's headers read from a message.
struct BusHeaders: Sendable, Hashable {
    var attempt = 1
    var topic: String?
    var group: String?
    var errorType: String?
    var error: String?

    mutating func read(_ name: String, _ value: AMQPValue) {
        switch name {
        case BusHeader.attempt: attempt = max(1, Int(clamping: value.integer ?? 1))
        case BusHeader.topic: topic = value.text
        case BusHeader.group: group = value.text
        case BusHeader.errorType: errorType = value.text
        case BusHeader.error: error = value.text
        default: break
        }
    }
}
