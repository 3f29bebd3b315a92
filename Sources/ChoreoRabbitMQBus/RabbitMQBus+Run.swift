import ChoreoInstrumentation
import Foundation

extension RabbitMQBus {
    /// Connects, declares the topology and runs the consumers until the task is cancelled; then
    /// lets the handlers that run finish being cancelled, closes the consumers' connections
    /// (the broker requeues what they did not acknowledge) and last the publishing connection.
    /// Call it once.
    ///
    /// - Throws: ``BusError`` `alreadyRunning` on a second call; `unavailable` when RabbitMQ
    ///   cannot be reached within ``Configuration/publishTimeout`` at start.
    public func run() async throws {
        guard markStarted() else { throw BusError(.alreadyRunning, "run() was already called on this bus; create a new RabbitMQBus") }
        let publisher = publisher
        publisher.thread.start { publisher.loop() }
        running.set(.open)
        defer { running.set(.ended) }
        do {
            // Fail start-up with a clear message rather than retry forever against a wrong URL;
            // cancelled meanwhile, stop at once.
            try await withTaskCancellationHandler {
                try await publisher.perform { _ in }
            } onCancel: {
                for job in publisher.thread.requestStop() { Self.fail(job) }
            }
        } catch {
            _ = publisher.thread.requestStop()
            await publisher.thread.waitUntilFinished()
            throw error
        }
        await withDiscardingTaskGroup { group in
            for await subscription in events {
                group.addTask { await self.consume(subscription) }
            }
        }
        for job in publisher.thread.requestStop() { Self.fail(job) }
        await publisher.thread.waitUntilFinished()
        throw CancellationError()
    }

    private static func fail(_ job: PublisherLink.Job) {
        switch job {
        case .publish(_, _, let continuation): continuation.resume(throwing: PublisherLink.stopped)
        case .perform(_, _, let fail): fail(PublisherLink.stopped)
        }
    }

    /// One subscription: its connection's thread feeds deliveries, each handled in a child task
    /// (at most the prefetch at once, as the broker sends no more unacknowledged).
    private func consume(_ subscription: Subscription) async {
        let (deliveries, sink) = AsyncStream.makeStream(of: ConsumerLink.Received.self)
        let registry = registry
        // Counted as handled from the moment it is received, so that pendingDeliveries() sees it.
        let link = ConsumerLink(subscription: subscription.key, configuration: configuration) { received in
            registry.began()
            if case .terminated = sink.yield(received) { registry.ended() }
        }
        registry.add(link)
        link.thread.start {
            link.loop()
            sink.finish()
        }
        await withDiscardingTaskGroup { group in
            for await received in deliveries {
                group.addTask {
                    await self.handle(received, on: link, with: subscription.handler)
                    self.registry.ended()
                }
            }
        }
        _ = link.thread.requestStop()
        await link.thread.waitUntilFinished()
    }

    /// Runs the handler; then acknowledges, or republishes for a retry or to the dead letters and
    /// acknowledges. Nothing is settled when the bus stops or the delivery's connection is gone:
    /// the broker delivers it again.
    private func handle(_ received: ConsumerLink.Received, on link: ConsumerLink, with handler: MessageHandler) async {
        let (message, headers) = MessageMapping.message(received.message)
        let delivery = Delivery(message: message, attempt: headers.attempt, maxAttempts: configuration.maxAttempts)
        let failure: any Error
        do {
            try await handler(delivery)
            if let copy = duplicate(of: received, delivery: delivery, group: link.subscription.group, queue: link.queue) {
                await settleWithDuplicate(received, copy: copy, on: link)
            } else {
                link.ack(received)
            }
            return
        } catch {
            failure = error
        }
        guard !Task.isCancelled, link.isCurrent(received.generation) else { return }
        let outgoing = settlement(of: received, delivery: delivery, group: link.subscription.group, queue: link.queue, failure: failure)
        do {
            try await publisher.publish(outgoing)
            link.ack(received)
        } catch {
            // The retry could not be stored: the delivery goes back to the queue as it was.
            link.requeue(received)
        }
    }

    /// The copy a successfully handled delivery asks its group for
    /// (``ChoreoInstrumentation/InMemoryBus/duplicateDeliveryHeader`` lists the group), or nil.
    ///
    /// Broker-native, like a retry without delay: the message with its properties, the next
    /// attempt number and the header without the group goes through the default exchange
    /// straight into the group's queue (routing key = the queue's name), so no other group sees
    /// it, and the copy asks for nothing more from this group: it is duplicated once.
    func duplicate(of received: ConsumerLink.Received, delivery: Delivery, group: String, queue: String) -> OutgoingMessage? {
        guard let headers = InMemoryBus.duplicateHeaders(delivery.message.headers, for: group) else { return nil }
        var properties = received.message.properties
        properties.headers = properties.headers.filter { !MessageMapping.isBrokerHeader($0.key) }
        properties.headers[BusHeader.topic] = .string(delivery.message.topic)
        properties.headers[BusHeader.attempt] = .int(Int64(delivery.attempt + 1))
        let header = InMemoryBus.duplicateDeliveryHeader
        properties.headers[header] = headers[header].map { .string($0) }
        return OutgoingMessage(exchange: "", routingKey: queue, properties: properties, body: received.message.body)
    }

    /// Stores the duplicate (confirmed), then acknowledges the delivery, so a crash in between
    /// leaves the delivery to come back (at-least-once) rather than losing the duplicate. If the
    /// copy cannot be stored, the delivery goes back to its queue unchanged, still asking for the
    /// duplicate. Nothing is done when the delivery's connection is gone: the broker already
    /// gave it back.
    private func settleWithDuplicate(_ received: ConsumerLink.Received, copy: OutgoingMessage, on link: ConsumerLink) async {
        guard link.isCurrent(received.generation) else { return }
        do {
            try await publisher.publish(copy)
            link.ack(received)
        } catch {
            link.requeue(received)
        }
    }

    /// The message to publish after a failed attempt: to the retry exchange of its delay with
    /// the next attempt number, or after the last attempt to the dead letters.
    func settlement(of received: ConsumerLink.Received, delivery: Delivery, group: String, queue: String, failure: any Error) -> OutgoingMessage {
        var properties = received.message.properties
        properties.headers = properties.headers.filter { !MessageMapping.isBrokerHeader($0.key) }
        properties.headers[BusHeader.topic] = .string(delivery.message.topic)
        guard delivery.isLastAttempt else {
            properties.headers[BusHeader.attempt] = .int(Int64(delivery.attempt + 1))
            let delay = configuration.backoffMilliseconds(afterAttempt: delivery.attempt)
            return OutgoingMessage(
                exchange: topology.retryExchange(milliseconds: delay), routingKey: queue, properties: properties, body: received.message.body)
        }
        properties.headers[BusHeader.attempt] = .int(Int64(delivery.attempt))
        properties.headers[BusHeader.group] = .string(group)
        properties.headers[BusHeader.errorType] = .string(String(describing: type(of: failure)))
        properties.headers[BusHeader.error] = .string(String(String(describing: failure).prefix(4_096)))
        return OutgoingMessage(
            exchange: topology.deadLetterExchange, routingKey: delivery.message.topic, properties: properties, body: received.message.body)
    }
}
