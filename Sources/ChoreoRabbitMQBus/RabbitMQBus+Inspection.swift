import ChoreoInstrumentation

extension RabbitMQBus {
    /// Deliveries not yet acknowledged or dead-lettered, as far as this instance can see: the
    /// ready messages in the queues of its subscriptions and in the retry queues, plus the
    /// deliveries its handlers are working on. (Deliveries other processes hold unacknowledged
    /// are theirs to count; a message the broker is moving between queues may be missed.)
    public func pendingDeliveries() async throws -> Int {
        try await running.wait(timeout: configuration.publishTimeout)
        let handling = registry.handling
        let queues =
            registry.all.map { topology.queue(topic: $0.topic, group: $0.group) }
            + publisher.retryDelays.map { topology.retryExchange(milliseconds: $0) }
        let ready = try await publisher.perform { connection in
            try queues.reduce(0) { sum, queue in
                sum + (try connection.declareQueue(queue, passive: true, channel: PublisherLink.inspectChannel))
            }
        }
        return handling + ready
    }

    /// The messages in the dead-letter queue (oldest first, at most `limit`), read without
    /// removing them: each with the group that gave up, the attempts and the last error.
    public func deadLetters(limit: Int = 10_000) async throws -> [DeadLetter] {
        try await running.wait(timeout: configuration.publishTimeout)
        let queue = topology.deadLetterQueue
        let messages = try await publisher.perform { connection in
            // Unacknowledged gets on a channel of their own: closing it puts them all back.
            let channel: UInt16 = 3
            try connection.openChannel(channel)
            var messages: [IncomingMessage] = []
            while messages.count < limit, let message = try connection.get(queue, channel: channel) { messages.append(message) }
            try connection.closeChannel(channel)
            return messages
        }
        return messages.map { incoming in
            let (message, headers) = MessageMapping.message(incoming)
            return DeadLetter(
                message: message, group: headers.group ?? "", attempts: headers.attempt, errorType: headers.errorType ?? "",
                errorDescription: headers.error ?? "")
        }
    }

    /// Drops every consumer connection of this instance at once, without acknowledging anything,
    /// as the kernel does when the process dies; the consumers never connect again. For tests
    /// of redelivery after a crash (the broker hands the deliveries to other consumers).
    package func crashConsumers() {
        for link in registry.links { link.crash() }
    }
}
