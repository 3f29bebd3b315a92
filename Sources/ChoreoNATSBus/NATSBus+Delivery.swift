import ChoreoInstrumentation

extension NATSBus {
    /// Handles one delivery and settles it: ACK, NAK with the backoff, or dead letter and TERM.
    ///
    /// A delivery whose attempt number cannot be read (the connection is down) is left alone:
    /// JetStream delivers it again after `ack_wait`.
    func handle(_ message: NATSMessage, of consumer: Consumer) async {
        let delivered: UInt64
        let key: String
        var failures = 0
        do {
            let metadata = try message.metadata()
            delivered = metadata.delivered
            key = names.attemptsKey(durable: consumer.durable, streamSequence: metadata.streamSequence)
            // The first delivery has no recorded failure; only redeliveries look it up.
            if delivered > 1 { failures = try await blocking { try $0.failures(key) } }
        } catch {
            logger.warning("consumer \(consumer.durable): cannot read a delivery's attempt, leaving it for redelivery: \(error)")
            return
        }
        let attempt = failures + 1
        let isLast = attempt >= configuration.maxAttempts || delivered >= UInt64(configuration.maxAttempts + configuration.maxCrashRedeliveries)
        let delivery = Delivery(
            message: Message(topic: consumer.topic, headers: message.userHeaders, body: message.body), attempt: attempt,
            maxAttempts: configuration.maxAttempts)
        do {
            try await whileInProgress(message) { try await consumer.handler(delivery) }
        } catch {
            await settleFailure(message, delivery, error: error, of: consumer, key: key, isLast: isLast)
            return
        }
        let hadFailures = failures > 0
        do {
            try await blocking { connection in
                try message.ack()
                if hadFailures { try connection.clearFailures(key) }
            }
        } catch {
            logger.warning("consumer \(consumer.durable): acknowledging failed (it will be delivered again): \(error)")
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
    private func settleFailure(_ message: NATSMessage, _ delivery: Delivery, error: any Error, of consumer: Consumer, key: String, isLast: Bool) async {
        let configuration = configuration
        let attempt = delivery.attempt
        do {
            if isLast {
                let letter = try deadLetter(delivery, error: error, of: consumer, key: key)
                try await blocking { connection in
                    try connection.publish(letter)
                    try message.term()
                    if attempt > 1 { try connection.clearFailures(key) }
                }
            } else {
                try await blocking { connection in
                    try connection.setFailures(key, attempt)
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
