import ChoreoInstrumentation

extension PostgresBus {
    /// One subscribe call: the consumers it starts in this process.
    struct Subscription: Sendable {
        let topic: String
        let group: String
        let handler: MessageHandler
    }

    /// Counters of this process's ``PostgresBus`` since it was created.
    public struct Statistics: Sendable, Hashable {
        /// Messages published.
        public var published = 0
        /// Published messages no group was subscribed to (not stored).
        public var unrouted = 0
        /// Deliveries acknowledged by a handler of this process.
        public var handled = 0
        /// Failed attempts scheduled for redelivery.
        public var retried = 0
        /// Deliveries dead-lettered by this process.
        public var deadLettered = 0
        /// Extra deliveries made because a message asked for one (``InMemoryBus/duplicateDeliveryHeader``).
        public var duplicated = 0
        /// Database errors of the consumers (each followed by a pause of one poll interval).
        public var errors = 0
    }

    /// This process's counters.
    public var statistics: Statistics { state.withLock { $0.statistics } }
}
