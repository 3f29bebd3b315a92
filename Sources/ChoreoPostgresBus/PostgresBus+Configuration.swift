import ChoreoModel
import ChoreoInstrumentation
import Foundation
import PostgresNIO

extension PostgresBus {
    /// Tuning and connection of a ``PostgresBus``.
    public struct Configuration: Sendable {
        /// Where the database is: host, port, user, password, database.
        public var host: String
        /// The server's port. Default 5432.
        public var port: Int
        /// The user to connect as.
        public var username: String
        /// The password, if the server asks for one.
        public var password: String?
        /// The database. Default: the user's name.
        public var database: String?
        /// The schema holding the bus's tables (letters, digits, `_`; created if missing). Default `choreo`.
        /// Buses on different schemas of one database are independent.
        public var schema: String
        /// Attempts per delivery before the message is dead-lettered (at least 1). Default 5.
        public var maxAttempts: Int
        /// Deliveries one subscription (topic and group) handles at once in this process. Default 4.
        public var concurrencyPerSubscription: Int
        /// Delay before the second attempt; it doubles for every further attempt. Default 100 ms.
        public var initialBackoff: Duration
        /// Upper bound of the retry delay. Default 10 s.
        public var maxBackoff: Duration
        /// How often idle consumers look for work without a notification (retries that became
        /// due, notifications lost while reconnecting). Default 500 ms.
        public var pollInterval: Duration
        /// The lease of a delivery being handled: a transaction idle for longer (a hung
        /// handler) is ended by the server and the delivery becomes available again. A process
        /// that dies loses its connections, which frees its deliveries at once. Default 60 s.
        public var leaseTimeout: Duration
        /// Connections of this process's pool (one per delivery being handled, one for LISTEN). Default 24.
        public var maximumConnections: Int
        /// `application_name` of the connections, to find them in `pg_stat_activity`. Default `choreo-bus`.
        public var applicationName: String

        /// Creates a configuration; see each property for its default.
        public init(
            host: String = "127.0.0.1", port: Int = 5432, username: String = "postgres", password: String? = nil,
            database: String? = nil, schema: String = "choreo", maxAttempts: Int = 5, concurrencyPerSubscription: Int = 4,
            initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(10),
            pollInterval: Duration = .milliseconds(500), leaseTimeout: Duration = .seconds(60),
            maximumConnections: Int = 24, applicationName: String = "choreo-bus"
        ) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
            self.schema = schema
            self.maxAttempts = maxAttempts
            self.concurrencyPerSubscription = concurrencyPerSubscription
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.pollInterval = pollInterval
            self.leaseTimeout = leaseTimeout
            self.maximumConnections = maximumConnections
            self.applicationName = applicationName
        }

        /// Reads `postgres://user:password@host:port/database` (also `postgresql://`); a query
        /// `?schema=NAME` sets ``schema``. `sslmode` may only be `disable` (TLS is not supported yet).
        ///
        /// - Throws: ``BusError`` `invalidConfiguration` naming what is wrong.
        public init(url: String) throws {
            guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme ?? ""),
                let host = parts.host, !host.isEmpty
            else {
                throw BusError(.invalidConfiguration, "'\(url)' is not a PostgreSQL URL; write postgres://user@host:port/database")
            }
            self.init(host: host, port: parts.port ?? 5432, username: parts.user ?? "postgres", password: parts.password)
            let path = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
            database = path.isEmpty ? nil : path
            for item in parts.queryItems ?? [] {
                switch item.name {
                case "schema": schema = item.value ?? schema
                case "sslmode" where item.value == "disable": break
                case "sslmode":
                    throw BusError(.invalidConfiguration, "sslmode=\(item.value ?? "") is not supported; use sslmode=disable (loopback) or omit it")
                default: break
                }
            }
            try validate()
        }

        /// Throws a ``BusError`` naming the first value out of range.
        public func validate() throws {
            func check(_ ok: Bool, _ message: String) throws {
                if !ok { throw BusError(.invalidConfiguration, message) }
            }
            try check(Self.isIdentifier(schema), "schema '\(schema)' must be letters, digits and '_', starting with a letter")
            try check(maxAttempts >= 1, "maxAttempts is \(maxAttempts); set it to 1 or more")
            try check(concurrencyPerSubscription >= 1, "concurrencyPerSubscription is \(concurrencyPerSubscription); set it to 1 or more")
            try check(initialBackoff >= .zero && maxBackoff >= initialBackoff, "backoff must satisfy 0 <= initialBackoff <= maxBackoff")
            try check(pollInterval > .zero, "pollInterval must be positive")
            try check(leaseTimeout >= .seconds(1), "leaseTimeout must be 1 s or more")
            try check(maximumConnections >= 2, "maximumConnections is \(maximumConnections); set it to 2 or more")
        }

        /// The delay before redelivering after failed attempt `attempt`: `initialBackoff * 2^(attempt-1)`, at most ``maxBackoff``.
        ///
        /// No jitter: redeliveries of one message are already spread by each row's own `visible_at`.
        public func backoff(afterAttempt attempt: Int) -> Duration {
            Backoff(initial: initialBackoff, maximum: maxBackoff, jitter: .none).ceiling(beforeRetry: attempt)
        }

        /// True for a lower-case SQL identifier that needs no quoting.
        static func isIdentifier(_ name: String) -> Bool {
            guard let first = name.unicodeScalars.first, name.count <= 48, ("a"..."z").contains(first) else { return false }
            return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
        }

        /// The client configuration of the connection pool.
        var client: PostgresClient.Configuration {
            var configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: .disable
            )
            configuration.options.maximumConnections = maximumConnections
            configuration.options.additionalStartupParameters = [
                ("application_name", applicationName),
                // The lease of a delivery being handled (see ``leaseTimeout``), set once per connection.
                ("idle_in_transaction_session_timeout", String(Int64(leaseTimeout.seconds * 1_000))),
            ]
            return configuration
        }
    }
}

extension Duration {
    /// Seconds as a floating-point number (for SQL intervals).
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
