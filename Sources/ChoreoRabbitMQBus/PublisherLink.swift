import ChoreoInstrumentation
import Foundation

/// The bus's publishing connection: publishes with publisher confirms on channel 1, and runs
/// declarations and inspections (queue depths, the dead letters) on channel 2.
///
/// Queued publishes are sent in one batch and each caller resumes when the broker confirmed its
/// message. When the connection fails, unconfirmed messages are sent again after reconnecting
/// (at-least-once: the broker may hold a copy), until their deadline passes; then the caller
/// gets `unavailable`. After every (re)connect the whole topology is declared again.
final class PublisherLink: Sendable {
    enum Job: Sendable {
        case publish(OutgoingMessage, deadline: ContinuousClock.Instant, CheckedContinuation<Void, any Error>)
        case perform(deadline: ContinuousClock.Instant, @Sendable (AMQPConnection) throws -> Void, fail: @Sendable (any Error) -> Void)
    }

    static let publishChannel: UInt16 = 1
    static let inspectChannel: UInt16 = 2
    /// Opened and closed by ``RabbitMQBus/pendingDeliveries(subscriptions:)`` (3 is ``RabbitMQBus/deadLetters(limit:)``'s).
    static let countChannel: UInt16 = 4

    let thread: LinkThread<Job>
    let configuration: RabbitMQBus.Configuration
    let topology: Topology
    let registry: SubscriptionRegistry

    init(configuration: RabbitMQBus.Configuration, registry: SubscriptionRegistry) {
        self.configuration = configuration
        self.topology = Topology(prefix: configuration.prefix)
        self.registry = registry
        thread = LinkThread(name: "choreo-amqp-publisher")
    }

    /// Publishes and returns once the broker confirmed the message.
    func publish(_ message: OutgoingMessage) async throws {
        let deadline = ContinuousClock.now + configuration.publishTimeout
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            if !thread.submit(.publish(message, deadline: deadline, continuation)) { continuation.resume(throwing: Self.stopped) }
        }
    }

    /// Runs `work` with the connection on the link's thread (channel ``inspectChannel`` is open).
    func perform<T: Sendable>(_ work: @escaping @Sendable (AMQPConnection) throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + configuration.publishTimeout
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job.perform(
                deadline: deadline,
                { connection in
                    do {
                        continuation.resume(returning: try work(connection))
                    } catch let error as AMQPError where error.kind == .connection {
                        throw error  // the connection is gone: the job runs again after reconnecting
                    } catch let error as AMQPError {
                        continuation.resume(throwing: BusError(.unavailable, "RabbitMQ: \(error)"))
                        throw error  // the broker closed the channel: connect again
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }, fail: { continuation.resume(throwing: $0) })
            if !thread.submit(job) { continuation.resume(throwing: Self.stopped) }
        }
    }

    static var stopped: BusError { BusError(.notRunning, "the RabbitMQ bus is not running; run() ended") }

    var retryDelays: Set<Int> {
        Set((1..<max(1, configuration.maxAttempts)).map { configuration.backoffMilliseconds(afterAttempt: $0) })
    }

    /// The thread's loop: connect, run jobs, reconnect with backoff, until stopped.
    func loop() {
        var connection: AMQPConnection?
        var pause = configuration.reconnectDelay
        while !thread.isStopping {
            if connection == nil {
                do {
                    connection = try connect()
                    pause = configuration.reconnectDelay
                } catch {
                    failExpired(BusError(.unavailable, "cannot reach RabbitMQ at \(configuration.endpoint.host):\(configuration.endpoint.port): \(error)"))
                    _ = thread.wait(socket: -1, timeout: pause)
                    pause = min(pause * 2, configuration.maxReconnectDelay)
                    continue
                }
            }
            guard let link = connection else { continue }
            do {
                let jobs = thread.takeAll()
                if jobs.isEmpty {
                    _ = thread.wait(socket: link.socket, timeout: .seconds(1))
                    // Reading sends and checks heartbeats and notices a close from the broker.
                    if case .closed(let error) = try link.waitForFrame(timeout: .zero) { throw error }
                    continue
                }
                try run(jobs, on: link)
            } catch {
                link.close()
                connection = nil
            }
        }
        connection?.close()
        for job in thread.requestStop() { fail(job, Self.stopped) }
    }

    private func connect() throws -> AMQPConnection {
        let connection = try AMQPConnection(configuration.endpoint, heartbeat: configuration.heartbeat, timeout: .seconds(10))
        do {
            try connection.openChannel(Self.publishChannel)
            try connection.selectConfirms(Self.publishChannel)
            try connection.openChannel(Self.inspectChannel)
            try topology.declareBase(on: connection, channel: Self.inspectChannel, retryDelays: retryDelays)
            for subscription in registry.all {
                try topology.declareSubscription(topic: subscription.topic, group: subscription.group, on: connection, channel: Self.inspectChannel)
            }
            return connection
        } catch {
            connection.close()
            throw error
        }
    }

    /// Runs a batch; on a connection failure, puts the unfinished jobs back and rethrows.
    private func run(_ jobs: [Job], on connection: AMQPConnection) throws {
        var waiting: [UInt64: Job] = [:]
        var tag: UInt64 = connection.publishedCount
        var index = 0
        do {
            for job in jobs {
                switch job {
                case .publish(let message, _, _):
                    try connection.publish(message, channel: Self.publishChannel)
                    tag += 1
                    connection.publishedCount = tag
                    waiting[tag] = job
                case .perform(_, let work, _):
                    do {
                        try work(connection)
                    } catch let error as AMQPError where error.kind == .channel {
                        index += 1  // its caller has the error; the connection is opened again
                        throw error
                    }
                }
                index += 1
            }
            try awaitConfirms(&waiting, on: connection)
        } catch {
            let unfinished = waiting.sorted { $0.key < $1.key }.map(\.value) + jobs[index...]
            thread.requeue(unfinished.filter { !expire($0) })
            throw error
        }
    }

    /// Reads frames until every published message in `waiting` is confirmed (or refused).
    private func awaitConfirms(_ waiting: inout [UInt64: Job], on connection: AMQPConnection) throws {
        let deadline = ContinuousClock.now + configuration.publishTimeout
        while !waiting.isEmpty {
            guard ContinuousClock.now < deadline else {
                throw AMQPError(.connection, "no publisher confirm within \(configuration.publishTimeout)")
            }
            guard let frame = try connection.waitForFrame(timeout: .seconds(1)) else { continue }
            switch frame {
            case .confirm(let tag, let multiple, let ack):
                let settled = multiple ? waiting.keys.filter { $0 <= tag } : [tag]
                for key in settled {
                    guard case .publish(let message, _, let continuation) = waiting.removeValue(forKey: key) else { continue }
                    if ack {
                        continuation.resume()
                    } else {
                        continuation.resume(throwing: BusError(.unavailable, "RabbitMQ refused the message to '\(message.routingKey)' (basic.nack)"))
                    }
                }
            case .closed(let error):
                throw error
            case .other:
                continue
            }
        }
    }

    /// Fails the job if its deadline passed; true when it did.
    private func expire(_ job: Job) -> Bool {
        let deadline: ContinuousClock.Instant
        switch job {
        case .publish(_, let d, _): deadline = d
        case .perform(let d, _, _): deadline = d
        }
        guard ContinuousClock.now >= deadline else { return false }
        fail(
            job,
            BusError(
                .unavailable, "RabbitMQ at \(configuration.endpoint.host):\(configuration.endpoint.port) did not confirm within \(configuration.publishTimeout)"
            ))
        return true
    }

    private func failExpired(_ error: BusError) {
        let jobs = thread.takeAll()
        var kept: [Job] = []
        for job in jobs {
            let deadline: ContinuousClock.Instant
            switch job {
            case .publish(_, let d, _): deadline = d
            case .perform(let d, _, _): deadline = d
            }
            if ContinuousClock.now >= deadline { fail(job, error) } else { kept.append(job) }
        }
        thread.requeue(kept)
    }

    private func fail(_ job: Job, _ error: any Error) {
        switch job {
        case .publish(_, _, let continuation): continuation.resume(throwing: error)
        case .perform(_, _, let fail): fail(error)
        }
    }
}
