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

    /// Deliveries not yet handled anywhere in the system, as far as a passive queue declare can
    /// tell, for a process that is not itself subscribed (a run driver waiting until every
    /// service's queue is empty): the sum of
    ///
    /// - the ready messages of each (topic, group) queue in `subscriptions` (a queue that does not
    ///   exist counts 0: no group declared it, so nothing waits there),
    /// - the ready messages of the retry queues (`PREFIX.retry.Nms`) of this bus's configuration's
    ///   delays (processes configured with other backoffs use other retry queues, not counted), and
    /// - the deliveries this instance's own handlers are working on.
    ///
    /// Deliveries that consumers in other processes hold unacknowledged are not visible through
    /// a passive declare (it reports ready messages only) and do not count: while a service
    /// handles a message, its queue can read 0. A caller waiting for quiescence should therefore
    /// see 0 several times in a row, or combine it with what the services report. Dead letters
    /// are not pending and do not count.
    ///
    /// - Throws: ``BusError`` `unavailable` when the broker cannot be asked within
    ///   ``Configuration/publishTimeout``; `invalidConfiguration` for a topic or group that cannot
    ///   name a queue.
    public func pendingDeliveries(subscriptions: [(topic: String, group: String)]) async throws -> Int {
        for subscription in subscriptions { try topology.validate(topic: subscription.topic, group: subscription.group) }
        try await running.wait(timeout: configuration.publishTimeout)
        let handling = registry.handling
        var queues: [String] = []
        for name in subscriptions.map({ topology.queue(topic: $0.topic, group: $0.group) })
            + publisher.retryDelays.sorted().map({
                topology.retryExchange(milliseconds: $0)
            }) where !queues.contains(name)
        {
            queues.append(name)
        }
        let ready = try await publisher.perform { [queues] connection in
            // A channel of its own: a missing queue's 404 closes it, which must not disturb the others.
            let channel = PublisherLink.countChannel
            try connection.openChannel(channel)
            let sum = try queues.reduce(0) { sum, queue in sum + (try connection.readyMessages(queue, channel: channel) ?? 0) }
            try connection.closeChannel(channel)
            return sum
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
