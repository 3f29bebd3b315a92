import ChoreoInstrumentation

extension NATSBus {
    /// Handles one delivery and settles it: ACK, NAK with the backoff, or dead letter and TERM;
    /// or, when the message asks its group for a duplicate, NAK without delay (see
    /// ``settleWithDuplicate(_:_:of:key:)``).
    ///
    /// A delivery whose attempt number cannot be read (the connection is down) is left alone:
    /// JetStream delivers it again after `ack_wait`.
    func handle(_ message: NATSMessage, of consumer: Consumer) async {
        let delivered: UInt64
        let key: String
        var record = AttemptRecord()
        do {
            let metadata = try message.metadata()
            delivered = metadata.delivered
            key = names.attemptsKey(durable: consumer.durable, streamSequence: metadata.streamSequence)
            // The first delivery has nothing recorded; only redeliveries look it up.
            if delivered > 1 { record = try await blocking { try $0.attempts(key) } }
        } catch {
            logger.warning("consumer \(consumer.durable): cannot read a delivery's attempt, leaving it for redelivery: \(error)")
            return
        }
        let attempt = record.made + 1
        let maxDeliver = UInt64(configuration.maxAttempts + configuration.maxCrashRedeliveries)
        let isLast = attempt >= configuration.maxAttempts || delivered >= maxDeliver
        var headers = message.userHeaders
        if record.duplicated {
            // The duplicate no longer asks this group for one, as on every bus.
            headers = InMemoryBus.duplicateHeaders(headers, for: consumer.group) ?? headers
        }
        let delivery = Delivery(
            message: Message(topic: consumer.topic, headers: headers, body: message.body), attempt: attempt, maxAttempts: configuration.maxAttempts)
        do {
            try await whileInProgress(message) { try await consumer.handler(delivery) }
        } catch {
            await settleFailure(message, delivery, error: error, of: consumer, key: key, record: record, isLast: isLast)
            return
        }
        if !record.duplicated, delivered < maxDeliver, InMemoryBus.duplicateHeaders(headers, for: consumer.group) != nil {
            await settleWithDuplicate(message, delivery, of: consumer, key: key)
            return
        }
        let recorded = !record.isEmpty
        do {
            try await blocking { connection in
                try message.ack()
                if recorded { try connection.clearAttempts(key) }
            }
        } catch {
            logger.warning("consumer \(consumer.durable): acknowledging failed (it will be delivered again): \(error)")
        }
    }

    /// A handled delivery whose message asks its group for a duplicate
    /// (``ChoreoInstrumentation/InMemoryBus/duplicateDeliveryHeader``), as a lost acknowledgement
    /// would cause: records in the attempt bucket that the attempt was made and the duplicate
    /// too, then NAKs without delay, so JetStream delivers the message again to this group's
    /// consumer only (other groups have consumers of their own) with the next attempt number.
    ///
    /// JetStream messages cannot be changed, so the bucket remembers the duplicate per consumer
    /// and message: the redelivery reads `duplicated`, drops the group from the header it hands
    /// the handler, and makes no further duplicate. Recording before the NAK keeps it to once:
    /// if the NAK is lost, JetStream redelivers after `ack_wait` and that redelivery is the
    /// duplicate; if recording fails, nothing was settled, and the redelivery is the original
    /// again, which asks again. A delivery at JetStream's `max_deliver` is acknowledged instead
    /// (JetStream would not deliver it again).
    private func settleWithDuplicate(_ message: NATSMessage, _ delivery: Delivery, of consumer: Consumer, key: String) async {
        let duplicated = AttemptRecord(made: delivery.attempt, duplicated: true)
        do {
            try await blocking { connection in
                try connection.setAttempts(key, duplicated)
                try message.nak(delay: .zero)
            }
        } catch {
            logger.warning("consumer \(consumer.durable): requesting the duplicate failed (it will be delivered again): \(error)")
        }
    }

    /// Runs `body`, telling the server every third of `ack_wait` that the delivery is in progress.
    private func whileInProgress(_ message: NATSMessage, _ body: () async throws -> Void) async throws {
        let interval = configuration.ackWait / 3
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: interval)
                    try? await self.blocking { _ in try message.inProgress() }
                }
            }
            defer { group.cancelAll() }
            try await body()
        }
    }

    /// A failed attempt: records it and asks for redelivery after the backoff, or on the last
    /// attempt republishes the message to the dead-letter subject and terminates it. When
    /// recording fails, the delivery is left for redelivery after `ack_wait`.
    private func settleFailure(
        _ message: NATSMessage, _ delivery: Delivery, error: any Error, of consumer: Consumer, key: String, record: AttemptRecord, isLast: Bool
    ) async {
        let configuration = configuration
        let attempt = delivery.attempt
        do {
            if isLast {
                let letter = try deadLetter(delivery, error: error, of: consumer, key: key)
                let recorded = !record.isEmpty
                try await blocking { connection in
                    try connection.publish(letter)
                    try message.term()
                    if recorded { try connection.clearAttempts(key) }
                }
            } else {
                let failed = AttemptRecord(made: attempt, duplicated: record.duplicated)
                try await blocking { connection in
                    try connection.setAttempts(key, failed)
                    try message.nak(delay: configuration.backoff(afterAttempt: attempt))
                }
            }
        } catch {
            logger.warning("consumer \(consumer.durable): settling failed attempt \(attempt) failed (it will be delivered again): \(error)")
        }
    }

    /// The dead letter of `delivery`: the message with the reason in `choreo-dead-letter-*`
    /// headers (line breaks in the error become spaces), de-duplicated per consumer and message.
    private func deadLetter(_ delivery: Delivery, error: any Error, of consumer: Consumer, key: String) throws -> NATSMessage {
        func line(_ text: String) -> String {
            String(String(text.map { $0 == "\r" || $0 == "\n" || $0 == "\0" ? " " : $0 }).prefix(2_000))
        }
        let letter = try NATSMessage.make(
            subject: names.deadLetterSubject(durable: consumer.durable), headers: delivery.message.headers, body: delivery.message.body,
            validating: false)
        try letter.setHeader(DeadLetterHeader.topic, line(consumer.topic))
        try letter.setHeader(DeadLetterHeader.group, line(consumer.group))
        try letter.setHeader(DeadLetterHeader.attempts, String(delivery.attempt))
        try letter.setHeader(DeadLetterHeader.errorType, line(String(describing: type(of: error))))
        try letter.setHeader(DeadLetterHeader.error, line(String(describing: error)))
        try letter.setHeader("Nats-Msg-Id", "dead/\(key)")
        return letter
    }
}
