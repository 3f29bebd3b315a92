internal import CRabbitMQ
import Foundation

/// One AMQP 0-9-1 connection through rabbitmq-c, with blocking calls.
///
/// rabbitmq-c connections are not thread-safe: an instance is created, used and closed on one
/// thread (a ``LinkThread``), never from Swift's cooperative pool.
final class AMQPConnection {
    let state: amqp_connection_state_t
    private var open = true
    /// Messages published on the confirm channel so far: the delivery tag of the last one.
    var publishedCount: UInt64 = 0

    /// Connects, logs in (PLAIN) and sets the timeout of every RPC.
    init(_ endpoint: RabbitMQBus.Endpoint, heartbeat: Int, timeout: Duration) throws {
        guard let state = amqp_new_connection() else { throw AMQPError(.connection, "rabbitmq-c could not allocate a connection") }
        self.state = state
        do {
            guard let socket = amqp_tcp_socket_new(state) else { throw AMQPError(.connection, "rabbitmq-c could not allocate a socket") }
            var connectTimeout = timeval(duration: timeout)
            let status = amqp_socket_open_noblock(socket, endpoint.host, Int32(endpoint.port), &connectTimeout)
            guard status == AMQP_STATUS_OK.rawValue else {
                throw AMQPError(.connection, "cannot connect to \(endpoint.host):\(endpoint.port): \(Self.describe(status))")
            }
            var rpcTimeout = timeval(duration: timeout)
            _ = amqp_set_handshake_timeout(state, &rpcTimeout)
            _ = amqp_set_rpc_timeout(state, &rpcTimeout)
            let reply = choreo_amqp_login_plain(state, endpoint.virtualHost, 131_072, Int32(heartbeat), endpoint.username, endpoint.password)
            try check(reply, "login as \(endpoint.username) on vhost \(endpoint.virtualHost)")
        } catch {
            amqp_destroy_connection(state)
            open = false
            throw error
        }
    }

    deinit {
        if open { amqp_destroy_connection(state) }
    }

    /// The socket, to wait for input with `poll`.
    var socket: Int32 { amqp_get_sockfd(state) }

    /// True when rabbitmq-c holds input not yet returned (read before polling the socket).
    var hasBufferedInput: Bool { amqp_data_in_buffer(state) != 0 || amqp_frames_enqueued(state) != 0 }

    /// Closes the connection politely (best effort) and frees it.
    func close() {
        guard open else { return }
        open = false
        _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS)
        amqp_destroy_connection(state)
    }

    /// Shuts the socket down at once, as the kernel does when the process dies: the broker
    /// sees the connection drop and requeues everything unacknowledged. Callable from any thread.
    static func shutDown(socket: Int32) {
        if socket >= 0 { _ = Glibc.shutdown(socket, Int32(SHUT_RDWR)) }
    }

    func openChannel(_ channel: UInt16) throws {
        _ = amqp_channel_open(state, channel)
        try check(amqp_get_rpc_reply(state), "open channel \(channel)")
    }

    func closeChannel(_ channel: UInt16) throws {
        try check(amqp_channel_close(state, channel, AMQP_REPLY_SUCCESS), "close channel \(channel)")
    }

    /// Puts `channel` into publisher-confirm mode.
    func selectConfirms(_ channel: UInt16) throws {
        _ = amqp_confirm_select(state, channel)
        try check(amqp_get_rpc_reply(state), "confirm.select")
    }

    func declareExchange(_ name: String, type: String, channel: UInt16) throws {
        _ = name.withBytes { exchange in
            type.withBytes { kind in amqp_exchange_declare(state, channel, exchange, kind, 0, 1, 0, 0, amqp_empty_table) }
        }
        try check(amqp_get_rpc_reply(state), "declare exchange '\(name)'")
    }

    /// Declares a durable queue; `passive` only checks that it exists. Returns its ready messages.
    @discardableResult
    func declareQueue(_ name: String, arguments: [(String, AMQPValue)] = [], passive: Bool = false, channel: UInt16) throws -> Int {
        let ok = name.withBytes { queue in
            AMQPTable.with(arguments) { table in amqp_queue_declare(state, channel, queue, passive ? 1 : 0, 1, 0, 0, table) }
        }
        try check(amqp_get_rpc_reply(state), "declare queue '\(name)'")
        return Int(ok?.pointee.message_count ?? 0)
    }

    /// The ready messages of `queue`, or nil when it does not exist: a passive declare, and on the
    /// broker's 404 (which closes the channel) the channel is closed politely and opened again.
    func readyMessages(_ queue: String, channel: UInt16) throws -> Int? {
        do {
            return try declareQueue(queue, passive: true, channel: channel)
        } catch let error as AMQPError where error.kind == .channel && error.replyCode == Int(choreo_amqp_replied_404) {
            var ok = amqp_channel_close_ok_t()
            let status = amqp_send_method(state, channel, choreo_amqp_channel_close_ok_method, &ok)
            guard status == AMQP_STATUS_OK.rawValue else { throw AMQPError(.connection, "channel.close-ok: \(Self.describe(status))") }
            try openChannel(channel)
            return nil
        }
    }

    func bind(queue: String, exchange: String, key: String, channel: UInt16) throws {
        _ = queue.withBytes { q in
            exchange.withBytes { x in key.withBytes { k in amqp_queue_bind(state, channel, q, x, k, amqp_empty_table) } }
        }
        try check(amqp_get_rpc_reply(state), "bind queue '\(queue)' to '\(exchange)' by '\(key)'")
    }

    /// Limits unacknowledged deliveries on `channel` and starts consuming `queue` with manual acks.
    func consume(_ queue: String, prefetch: Int, channel: UInt16) throws {
        _ = amqp_basic_qos(state, channel, 0, UInt16(clamping: prefetch), 0)
        try check(amqp_get_rpc_reply(state), "basic.qos")
        _ = queue.withBytes { q in amqp_basic_consume(state, channel, q, amqp_empty_bytes, 0, 0, 0, amqp_empty_table) }
        try check(amqp_get_rpc_reply(state), "consume queue '\(queue)'")
    }

    /// Sends one message (persistent). The broker's confirm arrives later (``waitForFrame(timeout:)``).
    func publish(_ outgoing: OutgoingMessage, channel: UInt16) throws {
        let status = outgoing.exchange.withBytes { exchange in
            outgoing.routingKey.withBytes { key in
                outgoing.withProperties { properties in
                    outgoing.body.withUnsafeBytes { body in
                        amqp_basic_publish(
                            state, channel, exchange, key, 0, 0, properties,
                            amqp_bytes_t(len: body.count, bytes: UnsafeMutableRawPointer(mutating: body.baseAddress)))
                    }
                }
            }
        }
        guard status == AMQP_STATUS_OK.rawValue else { throw AMQPError(.connection, "basic.publish: \(Self.describe(status))") }
    }

    func ack(_ tag: UInt64, channel: UInt16) throws {
        let status = amqp_basic_ack(state, channel, tag, 0)
        guard status == AMQP_STATUS_OK.rawValue else { throw AMQPError(.connection, "basic.ack: \(Self.describe(status))") }
    }

    func reject(_ tag: UInt64, requeue: Bool, channel: UInt16) throws {
        let status = amqp_basic_reject(state, channel, tag, requeue ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else { throw AMQPError(.connection, "basic.reject: \(Self.describe(status))") }
    }

    func timeval(duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}

extension AMQPConnection {
    /// A frame the connection received, decoded as far as the bus needs.
    enum Frame {
        /// A publisher confirm (`ack == false`: the broker refused the message).
        case confirm(tag: UInt64, multiple: Bool, ack: Bool)
        /// The broker closed the channel or the connection.
        case closed(AMQPError)
        /// Anything else (ignored).
        case other
    }

    /// Waits up to `timeout` for one frame; nil when none arrived in time.
    func waitForFrame(timeout: Duration) throws -> Frame? {
        var frame = amqp_frame_t()
        var limit = timeval(duration: timeout)
        let status = amqp_simple_wait_frame_noblock(state, &frame, &limit)
        if status == AMQP_STATUS_TIMEOUT.rawValue { return nil }
        guard status == AMQP_STATUS_OK.rawValue else { throw AMQPError(.connection, "waiting for a frame: \(Self.describe(status))") }
        return decode(frame)
    }

    func decode(_ frame: amqp_frame_t) -> Frame {
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { return .other }
        let method = frame.payload.method
        switch method.id {
        case choreo_amqp_basic_ack_method:
            let ack = method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            return .confirm(tag: ack.delivery_tag, multiple: ack.multiple != 0, ack: true)
        case choreo_amqp_basic_nack_method:
            let nack = method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            return .confirm(tag: nack.delivery_tag, multiple: nack.multiple != 0, ack: false)
        case choreo_amqp_channel_close_method:
            let close = method.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            return .closed(
                AMQPError(.channel, "the broker closed the channel: \(close.reply_code) \(close.reply_text.string)", replyCode: Int(close.reply_code)))
        case choreo_amqp_connection_close_method:
            let close = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            return .closed(AMQPError(.connection, "the broker closed the connection: \(close.reply_code) \(close.reply_text.string)"))
        default:
            return .other
        }
    }
}
