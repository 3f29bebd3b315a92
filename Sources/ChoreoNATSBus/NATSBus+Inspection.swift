import ChoreoInstrumentation

extension NATSBus {
    /// The dead letters of the system, oldest first, at most `limit`.
    public func deadLetters(limit: Int = 10_000) async throws -> [DeadLetter] {
        let configuration = configuration
        let messages = try await blocking { try $0.messages(stream: configuration.names.deadLetterStream, limit: limit) }
        return messages.map { message in
            let all = message.userHeaders
            let headers = all.filter { !$0.key.lowercased().hasPrefix(DeadLetterHeader.prefix) }
            return DeadLetter(
                message: Message(topic: all[DeadLetterHeader.topic] ?? "", headers: headers, body: message.body),
                group: all[DeadLetterHeader.group] ?? "", attempts: all[DeadLetterHeader.attempts].flatMap { Int($0) } ?? 0,
                errorType: all[DeadLetterHeader.errorType] ?? "", errorDescription: all[DeadLetterHeader.error] ?? "")
        }
    }

    /// Messages not yet delivered or delivered and not yet acknowledged, summed over every
    /// consumer of the system (NAKed deliveries waiting for their retry count too).
    public func pendingDeliveries() async throws -> Int {
        let configuration = configuration
        return try await blocking { try $0.consumers(configuration).pending }
    }

    /// The durable consumers of the system on the server (one per group and topic subscribed).
    public func consumerCount() async throws -> Int {
        let configuration = configuration
        return try await blocking { try $0.consumers(configuration).count }
    }

    /// True when this process subscribed a group to `topic`.
    public func hasSubscribers(topic: String) -> Bool {
        state.withLock { $0.subscribedTopics.contains(topic) }
    }

    /// Closes the connection at once, as the process's death does: the server drops it, the
    /// deliveries being handled stay unacknowledged (JetStream delivers them again after
    /// ``Configuration/ackWait``), and nothing more is published, acknowledged or fetched —
    /// the handlers' late results are lost. For crash tests; the bus is useless afterwards.
    public func closeConnectionAbruptly() async throws {
        try await ready.wait()
        state.withLock { $0.connection }?.close()
    }
}
