internal import CNATS
import ChoreoModel
import ChoreoInstrumentation
import Foundation
import Logging
import NIOPosix
import Synchronization

/// A durable publish/subscribe bus on NATS JetStream (through nats.c), with the same contract as
/// ``ChoreoInstrumentation/InMemoryBus``: at-least-once delivery with acknowledgements, retries
/// with exponential backoff up to a maximum of attempts, then a dead-letter stream.
///
/// Design (names in ``Names``):
/// - **A stream per system.** Every topic is the subject `SYSTEM.TOPIC` of the stream `SYSTEM`
///   (file storage, kept for ``Configuration/retention``). ``publish(_:)`` returns once JetStream
///   acknowledged the message (PubAck): it is on the server's disk. Metadata travels as NATS
///   headers named as in ``ChoreoInstrumentation/Message`` (CloudEvents binary mode);
///   `Nats-Msg-Id` is `TOPIC/ID` (the `id` header) so JetStream drops a repeated publish.
/// - **A durable pull consumer per group and topic.** ``subscribe(topic:group:handler:)``
///   declares it (explicit acks, `ack_wait` = ``Configuration/ackWait``) before it returns, so
///   from then on the group keeps every message of the topic, also while its processes are down.
///   Competing consumers of a group (in this process or others) pull from the same consumer.
/// - **Attempts.** A handler that returns acknowledges (ACK). One that throws records the failed
///   attempt in the key-value bucket `SYSTEM_attempts` and asks for redelivery after the backoff
///   (NAK with delay). The attempt number is the recorded failures plus one — not JetStream's
///   delivery count, which also counts deliveries whose consumer died (a crash is not a failed
///   attempt); both live on the server, so they survive a consumer crash. The last attempt's
///   failure republishes the message, with the reason in `choreo-dead-letter-*` headers, to
///   `SYSTEM_dead.CONSUMER` (PubAck), then terminates it (TERM). JetStream's `max_deliver` is
///   ``Configuration/maxAttempts`` + ``Configuration/maxCrashRedeliveries``; a delivery that
///   reaches it is dead-lettered on failure whatever its attempt number. A message asking its
///   group for a duplicate (``ChoreoInstrumentation/InMemoryBus/duplicateDeliveryHeader``) is,
///   once handled, NAKed without delay and the duplicate remembered in the bucket, so it is
///   delivered once more, as attempt + 1.
/// - **Crashes and restarts.** A delivery whose consumer dies unacknowledged is delivered again
///   after `ack_wait`; a running handler sends "in progress" every third of it. nats.c
///   reconnects forever after the server restarts; a fetch that fails while connected declares
///   the stream and consumer again. A publish while the server is away waits for it, up to
///   ``Configuration/publishTimeout``, so a handler that publishes rides out a restart.
/// - **Threads.** nats.c blocks: publishes, acknowledgements and declarations run on the bus's
///   `NIOThreadPool` (``Configuration/threads``), each subscription fetches on a thread of its
///   own; handlers run as Swift tasks.
///
/// Call ``run()`` from a task you own; ``publish(_:)`` and ``subscribe(topic:group:handler:)``
/// wait until it has connected and declared the streams.
public final class NATSBus: MessageBus, Sendable {
    /// The bus's server and tuning.
    public let configuration: Configuration
    let names: Names
    let logger: Logger
    let pool: NIOThreadPool
    let ready = ReadyGate()
    let events: AsyncStream<Consumer>
    let eventSink: AsyncStream<Consumer>.Continuation

    struct State {
        var started = false
        var connection: NATSConnection?
        /// Topics this process subscribed to.
        var subscribedTopics: Set<String> = []
    }

    let state = Mutex(State())

    /// One subscription: a group's durable consumer of a topic, and its handler.
    struct Consumer: Sendable {
        var topic: String
        var group: String
        var subject: String
        var durable: String
        var handler: MessageHandler
        var subscription: NATSSubscription?
    }

    /// Creates a bus; nothing connects before ``run()``.
    ///
    /// - Throws: ``ChoreoInstrumentation/BusError`` `invalidConfiguration` if a value is out of range.
    public init(configuration: Configuration, logger: Logger? = nil) throws {
        try configuration.validate()
        self.configuration = configuration
        names = configuration.names
        var logger = logger ?? Logger(label: "choreo.nats-bus", factory: { _ in SwiftLogNoOpLogHandler() })
        if let level = ProcessInfo.processInfo.environment["CHOREO_NATS_BUS_LOG"].flatMap(Logger.Level.init(rawValue:)) {
            // Diagnostics on standard error: CHOREO_NATS_BUS_LOG=debug|info|warning.
            logger = Logger(label: "choreo.nats-bus", factory: { StreamLogHandler.standardError(label: $0) })
            logger.logLevel = level
        } else if logger.logLevel < .warning {
            logger.logLevel = .warning
        }
        self.logger = logger
        pool = NIOThreadPool(numberOfThreads: configuration.threads)
        (events, eventSink) = AsyncStream.makeStream(of: Consumer.self)
    }

    /// Stores the message in JetStream; returns once the server acknowledged it (PubAck).
    ///
    /// While the server is unreachable or restarting, the publish waits: it tries again after
    /// every failure that may pass (no PubAck within ``Configuration/requestTimeout``, no
    /// responders while JetStream recovers, the connection down) as soon as the connection is
    /// back, until ``Configuration/publishTimeout`` has passed. Every try carries the same
    /// `Nats-Msg-Id`, so JetStream stores the message once however many tries reached it. So a
    /// handler that publishes rides out a server restart instead of failing its attempt.
    ///
    /// - Throws: ``NATSBusError`` for a topic or header NATS cannot carry;
    ///   ``ChoreoInstrumentation/BusError`` `unavailable` when the server did not acknowledge
    ///   within ``Configuration/publishTimeout`` (or refused the message for good), or when the
    ///   calling task was cancelled after a try failed; `notRunning` when the bus stopped.
    ///   Publishing again is safe: `Nats-Msg-Id` de-duplicates within ``Configuration/duplicateWindow``.
    public func publish(_ message: Message) async throws {
        let subject = try names.subject(topic: message.topic)
        let prepared = try NATSMessage.make(subject: subject, headers: message.headers, body: message.body)
        let id = message.headers["id"].flatMap { $0.isEmpty ? nil : $0 } ?? "choreo-\(UUID().uuidString)"
        try prepared.setHeader("Nats-Msg-Id", "\(message.topic)/\(id)")
        let configuration = configuration
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.publishTimeout
        while true {
            do {
                try await blocking { connection in
                    do {
                        try connection.publish(prepared)
                    } catch let failure as PublishFailure where failure.status == NATS_NO_RESPONDERS && connection.isConnected {
                        // The server lost the stream (a new store) or is still recovering it:
                        // declare it again (creating it if missing) and publish once more.
                        do {
                            try connection.declareStreams(configuration)
                        } catch let error as BusError {
                            throw PublishFailure(status: NATS_NO_RESPONDERS, transient: true, error: error)
                        }
                        try connection.publish(prepared)
                    }
                }
                return
            } catch let failure as PublishFailure {
                guard failure.transient, clock.now < deadline, !Task.isCancelled else {
                    let waited = failure.transient ? " (tried for up to publishTimeout \(configuration.publishTimeout))" : ""
                    throw BusError(.unavailable, "\(failure.error.message)\(waited)")
                }
                logger.debug("publish to \(subject) failed, trying again once connected: \(failure)")
                await waitForConnection(until: deadline)
            }
        }
    }

    /// Returns once the connection is up (nats.c reconnects on its own), or at `deadline`, or
    /// when the task is cancelled; never sooner than a short pause, so a failing server is not
    /// asked in a tight loop.
    private func waitForConnection(until deadline: ContinuousClock.Instant) async {
        let pause = Duration.milliseconds(50)
        repeat {
            do {
                try await Task.sleep(for: pause)
            } catch {
                return
            }
        } while ContinuousClock.now < deadline && state.withLock({ $0.connection }).map({ !$0.isConnected && !$0.isClosed }) ?? false
    }

    /// Subscribes a consumer group to a topic: declares the group's durable consumer (from now
    /// on the group keeps the topic's messages) and starts fetching in this process, handling up
    /// to ``Configuration/concurrencyPerSubscription`` deliveries at once. Subscribing the same
    /// group again adds competing consumers.
    public func subscribe(topic: String, group: String, handler: @escaping MessageHandler) async throws {
        var consumer = Consumer(
            topic: topic, group: group, subject: try names.subject(topic: topic), durable: names.durable(group: group, topic: topic),
            handler: handler)
        let configuration = configuration
        let declared = consumer
        consumer.subscription = try await blocking { connection in
            try connection.declareConsumer(configuration, declared)
            return try connection.bind(configuration, declared)
        }
        state.withLock { _ = $0.subscribedTopics.insert(topic) }
        eventSink.yield(consumer)
    }

    /// Runs `body` with the connection on the bus's thread pool, once ``run()`` has connected.
    ///
    /// Not cut short by cancellation: once asked for, a publish waits for its PubAck and an
    /// acknowledgement is sent even while the bus stops (a cancelled task would otherwise leave
    /// a handled delivery to be delivered again).
    func blocking<T: Sendable>(_ body: @escaping @Sendable (NATSConnection) throws -> T) async throws -> T {
        try await ready.wait()
        guard let connection = state.withLock({ $0.connection }) else { throw BusError(.notRunning, "the NATS bus is not running") }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            pool.submit { state in
                guard case .active = state else {
                    continuation.resume(throwing: BusError(.notRunning, "the NATS bus stopped; run() has returned"))
                    return
                }
                continuation.resume(with: Result { try body(connection) })
            }
        }
    }
}
