import ChoreoInstrumentation
import ChoreoModel
import Foundation

extension RabbitMQBus {
    /// Where the broker is: `amqp://user:password@host:port/vhost`.
    public struct Endpoint: Sendable, Hashable {
        /// The broker's host. Default 127.0.0.1.
        public var host: String
        /// The broker's AMQP port. Default 5672.
        public var port: Int
        /// The user. Default guest (which RabbitMQ accepts from loopback only).
        public var username: String
        /// The password. Default guest.
        public var password: String
        /// The virtual host. Default `/`.
        public var virtualHost: String

        /// Creates an endpoint; see each property for its default.
        public init(host: String = "127.0.0.1", port: Int = 5672, username: String = "guest", password: String = "guest", virtualHost: String = "/") {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.virtualHost = virtualHost
        }
    }

    /// Tuning and connection of a ``RabbitMQBus``.
    public struct Configuration: Sendable, Hashable {
        /// The broker.
        public var endpoint: Endpoint
        /// The prefix of every exchange and queue the bus declares (letters, digits, `.`, `-`,
        /// `_`). Buses with different prefixes on one broker are independent. Default `choreo`.
        public var prefix: String
        /// Attempts per delivery before the message is dead-lettered (at least 1). Default 5.
        public var maxAttempts: Int
        /// Deliveries one subscription handles at once (the channel's prefetch). Default 8.
        public var concurrencyPerSubscription: Int
        /// Delay before the second attempt; it doubles for every further attempt. Default 100 ms.
        public var initialBackoff: Duration
        /// Upper bound of the retry delay. Default 10 s.
        public var maxBackoff: Duration
        /// First pause before connecting again after the broker went away; it doubles up to
        /// ``maxReconnectDelay``. Default 100 ms.
        public var reconnectDelay: Duration
        /// Upper bound of the pause between connection attempts. Default 5 s.
        public var maxReconnectDelay: Duration
        /// How long ``RabbitMQBus/publish(_:)`` waits for the broker's confirm, including any
        /// reconnection, before it throws `unavailable`. Default 30 s.
        public var publishTimeout: Duration
        /// The AMQP heartbeat in seconds (0: none); a dead peer is noticed within twice this. Default 10.
        public var heartbeat: Int

        /// Creates a configuration; see each property for its default.
        public init(
            endpoint: Endpoint = Endpoint(), prefix: String = "choreo", maxAttempts: Int = 5, concurrencyPerSubscription: Int = 8,
            initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(10), reconnectDelay: Duration = .milliseconds(100),
            maxReconnectDelay: Duration = .seconds(5), publishTimeout: Duration = .seconds(30), heartbeat: Int = 10
        ) {
            self.endpoint = endpoint
            self.prefix = prefix
            self.maxAttempts = maxAttempts
            self.concurrencyPerSubscription = concurrencyPerSubscription
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.reconnectDelay = reconnectDelay
            self.maxReconnectDelay = maxReconnectDelay
            self.publishTimeout = publishTimeout
            self.heartbeat = heartbeat
        }

        /// Reads `amqp://user:password@host:port/vhost` (user, password, port and vhost
        /// optional; the vhost percent-encoded, so `/` is `%2F` and an empty path is `/`); a
        /// query `?prefix=NAME` sets ``prefix``.
        ///
        /// - Throws: ``BusError`` `invalidConfiguration` naming what is wrong.
        public init(url: String) throws {
            guard let parts = URLComponents(string: url), parts.scheme == "amqp", let host = parts.host, !host.isEmpty else {
                if url.hasPrefix("amqps://") {
                    throw BusError(.invalidConfiguration, "amqps:// (TLS) is not supported yet; use amqp:// on loopback")
                }
                throw BusError(.invalidConfiguration, "'\(url)' is not an AMQP URL; write amqp://user:password@host:port/vhost")
            }
            let path = parts.percentEncodedPath.hasPrefix("/") ? String(parts.percentEncodedPath.dropFirst()) : parts.percentEncodedPath
            let endpoint = Endpoint(
                host: host, port: parts.port ?? 5672, username: parts.user ?? "guest", password: parts.password ?? "guest",
                virtualHost: path.isEmpty ? "/" : (path.removingPercentEncoding ?? path))
            self.init(endpoint: endpoint)
            for item in parts.queryItems ?? [] where item.name == "prefix" {
                prefix = item.value ?? prefix
            }
            try validate()
        }

        /// Throws a ``BusError`` naming the first value out of range.
        public func validate() throws {
            func check(_ ok: Bool, _ message: String) throws {
                if !ok { throw BusError(.invalidConfiguration, message) }
            }
            try check(Self.isName(prefix), "prefix '\(prefix)' must be 1 to 64 letters, digits, '.', '-' or '_'")
            try check((1...65_535).contains(endpoint.port), "port \(endpoint.port) is out of range")
            try check(maxAttempts >= 1, "maxAttempts is \(maxAttempts); set it to 1 or more")
            try check(
                (1...65_535).contains(concurrencyPerSubscription), "concurrencyPerSubscription is \(concurrencyPerSubscription); set it to 1...65535")
            try check(initialBackoff >= .zero && maxBackoff >= initialBackoff, "backoff must satisfy 0 <= initialBackoff <= maxBackoff")
            try check(maxBackoff <= .seconds(86_400), "maxBackoff must be one day or less")
            try check(reconnectDelay > .zero && maxReconnectDelay >= reconnectDelay, "reconnect delays must satisfy 0 < reconnectDelay <= maxReconnectDelay")
            try check(publishTimeout > .zero, "publishTimeout must be positive")
            try check((0...3_600).contains(heartbeat), "heartbeat is \(heartbeat) s; set it to 0...3600")
        }

        /// The delay before redelivering after failed attempt `attempt`: `initialBackoff * 2^(attempt-1)`,
        /// at most ``maxBackoff``, in whole milliseconds (a delay queue's TTL).
        public func backoffMilliseconds(afterAttempt attempt: Int) -> Int {
            let delay = Backoff(initial: initialBackoff, maximum: maxBackoff, jitter: .none).ceiling(beforeRetry: attempt)
            let (seconds, attoseconds) = delay.components
            return Int(seconds) * 1_000 + Int(attoseconds / 1_000_000_000_000_000)
        }

        static func isName(_ name: String) -> Bool {
            !name.isEmpty && name.utf8.count <= 64
                && name.unicodeScalars.allSatisfy {
                    ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" || $0 == "_"
                }
        }
    }
}
