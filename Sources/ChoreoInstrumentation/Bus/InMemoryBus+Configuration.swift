import ChoreoModel

extension InMemoryBus {
    /// Tuning of an ``InMemoryBus``. Every queue is bounded; the defaults suit tests and demos.
    public struct Configuration: Sendable, Hashable {
        /// Attempts per delivery before the message is dead-lettered (at least 1). Default 5.
        public var maxAttempts: Int
        /// Deliveries one subscription (topic and group) runs at the same time. Default 8.
        public var concurrencyPerSubscription: Int
        /// Deliveries a subscription queues before ``InMemoryBus/publish(_:)`` suspends. Default 10 000.
        public var queueCapacity: Int
        /// Delay before the second attempt; it doubles for every further attempt. Default 100 ms.
        public var initialBackoff: Duration
        /// Upper bound of the retry delay. Default 10 s.
        public var maxBackoff: Duration
        /// Dead letters kept for inspection; older ones are dropped and counted. Default 1 000.
        public var deadLetterCapacity: Int

        /// Creates a configuration; see each property for its meaning and default.
        public init(
            maxAttempts: Int = 5,
            concurrencyPerSubscription: Int = 8,
            queueCapacity: Int = 10_000,
            initialBackoff: Duration = .milliseconds(100),
            maxBackoff: Duration = .seconds(10),
            deadLetterCapacity: Int = 1_000
        ) {
            self.maxAttempts = maxAttempts
            self.concurrencyPerSubscription = concurrencyPerSubscription
            self.queueCapacity = queueCapacity
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.deadLetterCapacity = deadLetterCapacity
        }

        /// Throws a ``BusError`` naming the first value out of range.
        public func validate() throws {
            func check(_ ok: Bool, _ message: String) throws {
                if !ok { throw BusError(.invalidConfiguration, message) }
            }
            try check(maxAttempts >= 1, "maxAttempts is \(maxAttempts); set it to 1 or more")
            try check(concurrencyPerSubscription >= 1, "concurrencyPerSubscription is \(concurrencyPerSubscription); set it to 1 or more")
            try check(queueCapacity >= 1, "queueCapacity is \(queueCapacity); set it to 1 or more")
            try check(deadLetterCapacity >= 0, "deadLetterCapacity is \(deadLetterCapacity); set it to 0 or more")
            try check(
                initialBackoff >= .zero && maxBackoff >= initialBackoff,
                "backoff must satisfy 0 <= initialBackoff <= maxBackoff")
        }

        /// The delay before redelivering after failed attempt number `attempt` (1-based):
        /// `initialBackoff * 2^(attempt-1)`, at most ``maxBackoff``.
        ///
        /// No jitter, so tests can predict redelivery times on their clock.
        public func backoff(afterAttempt attempt: Int) -> Duration {
            Backoff(initial: initialBackoff, maximum: maxBackoff, jitter: .none).ceiling(beforeRetry: attempt)
        }
    }

    /// Counters of an ``InMemoryBus`` since it was created.
    public struct Statistics: Sendable, Hashable {
        /// Messages accepted by ``InMemoryBus/publish(_:)``.
        public var published = 0
        /// Published messages no subscription received (dropped, as in pub/sub without queues).
        public var unrouted = 0
        /// Deliveries acknowledged by a handler.
        public var handled = 0
        /// Failed attempts that were scheduled for redelivery.
        public var retried = 0
        /// Deliveries dead-lettered after their last attempt.
        public var deadLettered = 0
        /// Dead letters dropped from the bounded dead-letter list (the oldest go first).
        public var deadLettersDropped = 0
        /// Extra deliveries made because a message asked for a duplicate (``InMemoryBus/duplicateDeliveryHeader``).
        public var duplicated = 0
        /// Deliveries abandoned by a crash of their consumer and queued again (``InMemoryBus/crashConsumers(group:)``).
        public var abandoned = 0
    }
}
