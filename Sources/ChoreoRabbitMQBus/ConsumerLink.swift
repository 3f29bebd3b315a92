import ChoreoInstrumentation
import Foundation
import Synchronization

/// The connection of one subscription (a consumer group's queue for a topic): consumes with
/// manual acknowledgements and a prefetch of ``RabbitMQBus/Configuration/concurrencyPerSubscription``.
///
/// Each (re)connection is a new *generation*. A delivery remembers its generation; an ack for an
/// older generation is dropped, because the broker already put that delivery back in the queue
/// when the old connection closed (it is delivered again: at-least-once).
final class ConsumerLink: Sendable {
    /// A delivery received on this link.
    struct Received: Sendable {
        var message: IncomingMessage
        var generation: UInt64
    }

    private struct State {
        var generation: UInt64 = 0
        var socket: Int32 = -1
        /// Set by ``crash()``: the link never connects again.
        var crashed = false
    }

    let subscription: SubscriptionRegistry.Key
    let queue: String
    /// How to settle a delivery: acknowledge it, or hand it back to the queue unchanged.
    struct Settlement: Sendable {
        var tag: UInt64
        var generation: UInt64
        var requeue: Bool
    }

    let thread: LinkThread<Settlement>
    private let state = Mutex(State())
    private let configuration: RabbitMQBus.Configuration
    private let topology: Topology
    private let deliver: @Sendable (Received) -> Void

    init(
        subscription: SubscriptionRegistry.Key, configuration: RabbitMQBus.Configuration, deliver: @escaping @Sendable (Received) -> Void
    ) {
        self.subscription = subscription
        self.configuration = configuration
        self.topology = Topology(prefix: configuration.prefix)
        self.queue = topology.queue(topic: subscription.topic, group: subscription.group)
        self.deliver = deliver
        thread = LinkThread(name: "choreo-amqp-consumer")
    }

    /// True while `generation` is the live connection (its deliveries can still be acknowledged).
    func isCurrent(_ generation: UInt64) -> Bool {
        state.withLock { !$0.crashed && $0.generation == generation && $0.socket >= 0 }
    }

    /// Acknowledges a delivery of `generation` (dropped if that connection is gone).
    func ack(_ received: Received) {
        thread.submit(Settlement(tag: received.message.tag, generation: received.generation, requeue: false))
    }

    /// Hands a delivery back to the queue unchanged, same attempt (dropped if that connection is gone).
    func requeue(_ received: Received) {
        thread.submit(Settlement(tag: received.message.tag, generation: received.generation, requeue: true))
    }

    /// Drops the connection at once without acknowledging anything, as a dying process does,
    /// and never connects again. The broker hands the unacknowledged deliveries to other consumers.
    func crash() {
        let socket = state.withLock { state in
            state.crashed = true
            return state.socket
        }
        AMQPConnection.shutDown(socket: socket)
        _ = thread.requestStop()
    }

    /// The thread's loop: connect and consume, reconnect with backoff, until stopped.
    func loop() {
        var connection: AMQPConnection?
        var pause = configuration.reconnectDelay
        while !thread.isStopping {
            guard let link = connection else {
                do {
                    connection = try connect()
                    pause = configuration.reconnectDelay
                } catch {
                    _ = thread.wait(socket: -1, timeout: pause)
                    pause = min(pause * 2, configuration.maxReconnectDelay)
                }
                continue
            }
            do {
                try step(link)
            } catch {
                if state.withLock({ $0.crashed }) {
                    connection = nil
                    break
                }
                state.withLock { $0.socket = -1 }
                link.close()
                connection = nil
            }
        }
        state.withLock { $0.socket = -1 }
        if !state.withLock({ $0.crashed }) { connection?.close() }
        _ = thread.requestStop()
    }

    /// Sends the queued acks, then reads what arrived (waiting up to a second for anything).
    private func step(_ link: AMQPConnection) throws {
        let generation = state.withLock { $0.generation }
        for settlement in thread.takeAll() where settlement.generation == generation {
            if settlement.requeue {
                try link.reject(settlement.tag, requeue: true, channel: 1)
            } else {
                try link.ack(settlement.tag, channel: 1)
            }
        }
        if !link.hasBufferedInput {
            _ = thread.wait(socket: link.socket, timeout: .seconds(1))
        }
        // Reading with no wait also sends and checks heartbeats.
        switch try link.receive(timeout: .zero) {
        case .delivery(let message)?:
            deliver(Received(message: message, generation: generation))
        case .frame(.closed(let error))?:
            throw error
        case .frame?, nil:
            break
        }
    }

    private func connect() throws -> AMQPConnection {
        let connection = try AMQPConnection(configuration.endpoint, heartbeat: configuration.heartbeat, timeout: .seconds(10))
        do {
            try connection.openChannel(1)
            try topology.declareSubscription(topic: subscription.topic, group: subscription.group, on: connection, channel: 1)
            try connection.consume(queue, prefetch: configuration.concurrencyPerSubscription, channel: 1)
        } catch {
            connection.close()
            throw error
        }
        let live = state.withLock { state in
            guard !state.crashed else { return false }
            state.generation += 1
            state.socket = connection.socket
            return true
        }
        guard live else {
            AMQPConnection.shutDown(socket: connection.socket)
            throw AMQPError(.connection, "the consumer crashed")
        }
        return connection
    }
}
