internal import CRabbitMQ
import Foundation

extension AMQPConnection {
    /// What ``receive(timeout:)`` got.
    enum Received {
        /// A delivery to this connection's consumer.
        case delivery(IncomingMessage)
        /// Some other frame (a confirm, a heartbeat) was read instead.
        case frame(Frame)
    }

    /// Waits up to `timeout` for the next delivery (or another frame); nil when nothing arrived.
    ///
    /// Only the wait for the delivery's first frame is limited: the rest of a message the broker
    /// started to send is read to its end, so a timeout never loses part of one.
    func receive(timeout: Duration) throws -> Received? {
        amqp_maybe_release_buffers(state)
        var envelope = amqp_envelope_t()
        var limit = timeval(duration: timeout)
        let reply = amqp_consume_message(state, &envelope, &limit, 0)
        if reply.reply_type == AMQP_RESPONSE_NORMAL {
            defer { amqp_destroy_envelope(&envelope) }
            return .delivery(
                IncomingMessage(
                    tag: envelope.delivery_tag, routingKey: envelope.routing_key.string,
                    properties: envelope.message.properties, body: envelope.message.body.array))
        }
        if reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION {
            if reply.library_error == AMQP_STATUS_TIMEOUT.rawValue { return nil }
            if reply.library_error == AMQP_STATUS_UNEXPECTED_STATE.rawValue {
                // A frame other than a delivery is next: read it.
                var frame = amqp_frame_t()
                let status = amqp_simple_wait_frame(state, &frame)
                guard status == AMQP_STATUS_OK.rawValue else { throw AMQPError(.connection, "reading a frame: \(Self.describe(status))") }
                return .frame(decode(frame))
            }
        }
        try check(reply, "receive a delivery")
        return nil
    }

    /// Takes the oldest message of `queue` without acknowledging it (basic.get); nil when empty.
    /// The message returns to the queue when the channel closes.
    func get(_ queue: String, channel: UInt16) throws -> IncomingMessage? {
        amqp_maybe_release_buffers(state)
        let reply = queue.withBytes { q in amqp_basic_get(state, channel, q, 0) }
        try check(reply, "basic.get from '\(queue)'")
        guard reply.reply.id == choreo_amqp_basic_get_ok_method else { return nil }
        let ok = reply.reply.decoded.assumingMemoryBound(to: amqp_basic_get_ok_t.self).pointee
        let routingKey = ok.routing_key.string
        var message = amqp_message_t()
        try check(amqp_read_message(state, channel, &message, 0), "read the message from '\(queue)'")
        defer { amqp_destroy_message(&message) }
        return IncomingMessage(tag: ok.delivery_tag, routingKey: routingKey, properties: message.properties, body: message.body.array)
    }

    /// Throws the error an RPC reply describes.
    func check(_ reply: amqp_rpc_reply_t, _ what: String) throws {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_NONE:
            throw AMQPError(.connection, "\(what): no reply (missing RPC reply type)")
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            throw AMQPError(.connection, "\(what): \(Self.describe(reply.library_error))")
        default:
            switch decode(amqp_frame_t(reply: reply.reply)) {
            case .closed(let error):
                // The link drops the connection on any error and connects again.
                throw AMQPError(error.kind, "\(what): \(error.message)", replyCode: error.replyCode)
            default:
                throw AMQPError(.connection, "\(what): unexpected server reply \(reply.reply.id)")
            }
        }
    }

    static func describe(_ status: Int32) -> String {
        String(cString: amqp_error_string2(status))
    }
}

extension amqp_frame_t {
    /// A method frame holding `method`, to decode a server reply like a received frame.
    init(reply method: amqp_method_t) {
        self.init()
        frame_type = UInt8(AMQP_FRAME_METHOD)
        payload.method = method
    }
}

/// A message read from the broker: its delivery tag, routing key, properties and body.
struct IncomingMessage: Sendable {
    var tag: UInt64
    var routingKey: String
    var properties: AMQPProperties
    var body: [UInt8]

    init(tag: UInt64, routingKey: String, properties: AMQPProperties, body: [UInt8]) {
        self.tag = tag
        self.routingKey = routingKey
        self.properties = properties
        self.body = body
    }

    init(tag: UInt64, routingKey: String, properties: amqp_basic_properties_t, body: [UInt8]) {
        self.init(tag: tag, routingKey: routingKey, properties: AMQPProperties(properties), body: body)
    }
}

/// An error of rabbitmq-c or the broker.
struct AMQPError: Error, CustomStringConvertible {
    enum Kind { case connection, channel }
    var kind: Kind
    var message: String
    /// The broker's reply code (404 when a passively declared queue does not exist).
    var replyCode: Int?

    init(_ kind: Kind, _ message: String, replyCode: Int? = nil) {
        self.kind = kind
        self.message = message
        self.replyCode = replyCode
    }

    var description: String { message }
}
