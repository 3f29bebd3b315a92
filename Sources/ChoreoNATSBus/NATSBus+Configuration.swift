import ChoreoInstrumentation
import ChoreoModel
import Foundation

extension NATSBus {
    /// Connection and tuning of a ``NATSBus``.
    public struct Configuration: Sendable {
        /// The server, `nats://host:port`. Default `nats://127.0.0.1:4222`.
        public var url: String
        /// The system: names the stream (and the dead-letter stream and attempt bucket beside it)
        /// and prefixes every subject. Letters, digits, `_` and `-`, at most 32. Default `choreo`.
        /// Buses of different systems on one server are independent.
        public var system: String
        /// Attempts per delivery before the message is dead-lettered (at least 1). Default 5.
        public var maxAttempts: Int
        /// Redeliveries after consumers died (no failure recorded) that JetStream makes beyond
        /// ``maxAttempts`` (its `max_deliver` is the sum). A delivery that reaches `max_deliver`
        /// is dead-lettered if it fails, whatever its attempt number. Default 5.
        public var maxCrashRedeliveries: Int
        /// Deliveries one subscription (topic and group) handles at once in this process. Default 4.
        public var concurrencyPerSubscription: Int
        /// Delay before the second attempt (a NAK with this delay); it doubles for every further attempt. Default 100 ms.
        public var initialBackoff: Duration
        /// Upper bound of the retry delay. Default 10 s.
        public var maxBackoff: Duration
        /// JetStream's `ack_wait`: a delivery not acknowledged for this long (its consumer died)
        /// is delivered again. A handler still running tells the server every third of it that it
        /// is in progress, so a slow handler keeps its delivery. Default 30 s.
        public var ackWait: Duration
        /// How long messages, dead letters and attempt counts are kept (the streams' `max_age`). Default 7 days.
        public var retention: Duration
        /// JetStream's de-duplication window for `Nats-Msg-Id`. Default 2 minutes.
        public var duplicateWindow: Duration
        /// How long one JetStream request (a publish's acknowledgement, a declaration, an
        /// attempt count) may take. Default 5 s.
        public var requestTimeout: Duration
        /// How long ``NATSBus/publish(_:)`` keeps trying while the server is unreachable or
        /// restarting (each try waits up to ``requestTimeout``) before it throws `unavailable`.
        /// Long enough by default for a handler that publishes to ride out a server restart
        /// (the message is redelivered, not failed: no attempt is spent). Default 30 s.
        public var publishTimeout: Duration
        /// How long the first connection may take. Default 5 s.
        public var connectTimeout: Duration
        /// The pause between reconnection attempts; the bus reconnects forever. Default 250 ms.
        public var reconnectWait: Duration
        /// Threads that make the blocking nats.c calls (publish, acknowledge); every subscription
        /// also fetches on a thread of its own. Default 8.
        public var threads: Int
        /// The connection's name, shown by the server's monitoring. Default `choreo-bus`.
        public var connectionName: String

        /// Creates a configuration; see each property for its default.
        public init(
            url: String = "nats://127.0.0.1:4222", system: String = "choreo", maxAttempts: Int = 5, maxCrashRedeliveries: Int = 5,
            concurrencyPerSubscription: Int = 4, initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(10),
            ackWait: Duration = .seconds(30), retention: Duration = .seconds(7 * 86_400), duplicateWindow: Duration = .seconds(120),
            requestTimeout: Duration = .seconds(5), publishTimeout: Duration = .seconds(30), connectTimeout: Duration = .seconds(5),
            reconnectWait: Duration = .milliseconds(250), threads: Int = 8, connectionName: String = "choreo-bus"
        ) {
            self.url = url
            self.system = system
            self.maxAttempts = maxAttempts
            self.maxCrashRedeliveries = maxCrashRedeliveries
            self.concurrencyPerSubscription = concurrencyPerSubscription
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.ackWait = ackWait
            self.retention = retention
            self.duplicateWindow = duplicateWindow
            self.requestTimeout = requestTimeout
            self.publishTimeout = publishTimeout
            self.connectTimeout = connectTimeout
            self.reconnectWait = reconnectWait
            self.threads = threads
            self.connectionName = connectionName
        }

        /// Reads `nats://host:port`; a query `?system=NAME` sets ``system``.
        ///
        /// - Throws: ``BusError`` `invalidConfiguration` naming what is wrong.
        public init(url: String) throws {
            guard let parts = URLComponents(string: url), parts.scheme == "nats", let host = parts.host, !host.isEmpty else {
                throw BusError(.invalidConfiguration, "'\(url)' is not a NATS URL; write nats://host:port")
            }
            var server = URLComponents()
            server.scheme = "nats"
            server.host = host
            server.port = parts.port ?? 4222
            server.user = parts.user
            server.password = parts.password
            self.init(url: server.string ?? url, system: "choreo")
            for item in parts.queryItems ?? [] {
                switch item.name {
                case "system": system = item.value ?? system
                default: throw BusError(.invalidConfiguration, "unknown NATS URL parameter '\(item.name)'; the only one is system=NAME")
                }
            }
            try validate()
        }

        /// Throws a ``BusError`` naming the first value out of range.
        public func validate() throws {
            func check(_ ok: Bool, _ message: String) throws {
                if !ok { throw BusError(.invalidConfiguration, message) }
            }
            try check(url.hasPrefix("nats://"), "url '\(url)' must start with nats://")
            try check(Names.isName(system, limit: 32), "system '\(system)' must be 1 to 32 letters, digits, '_' or '-'")
            try check(maxAttempts >= 1, "maxAttempts is \(maxAttempts); set it to 1 or more")
            try check(maxCrashRedeliveries >= 0, "maxCrashRedeliveries is \(maxCrashRedeliveries); set it to 0 or more")
            try check(concurrencyPerSubscription >= 1, "concurrencyPerSubscription is \(concurrencyPerSubscription); set it to 1 or more")
            try check(initialBackoff >= .zero && maxBackoff >= initialBackoff, "backoff must satisfy 0 <= initialBackoff <= maxBackoff")
            try check(ackWait >= .milliseconds(300), "ackWait must be 300 ms or more")
            try check(duplicateWindow >= .seconds(1) && retention >= duplicateWindow, "must hold: 1 s <= duplicateWindow <= retention")
            try check(
                requestTimeout >= .milliseconds(100) && publishTimeout >= .milliseconds(100) && connectTimeout >= .milliseconds(100),
                "timeouts must be 100 ms or more")
            try check(reconnectWait >= .milliseconds(10), "reconnectWait must be 10 ms or more")
            try check(threads >= 1, "threads is \(threads); set it to 1 or more")
            try check(!connectionName.isEmpty, "connectionName must not be empty")
        }

        /// The delay before redelivering after failed attempt `attempt`: `initialBackoff * 2^(attempt-1)`, at most ``maxBackoff``.
        public func backoff(afterAttempt attempt: Int) -> Duration {
            Backoff(initial: initialBackoff, maximum: maxBackoff, jitter: .none).ceiling(beforeRetry: attempt)
        }

        /// The names of the bus's streams, subjects, consumers and bucket.
        var names: Names { Names(system: system) }
    }
}
