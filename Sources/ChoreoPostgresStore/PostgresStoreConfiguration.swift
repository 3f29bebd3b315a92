import ChoreoStore
import Foundation
import PostgresNIO

/// Where a ``PostgresSpanStore`` keeps its tables and how it partitions spans.
public struct PostgresStoreConfiguration: Sendable {
    /// The server's host. Default `127.0.0.1`.
    public var host: String
    /// The server's port. Default 5432.
    public var port: Int
    /// The user to connect as. Default `postgres`.
    public var username: String
    /// The password, if the server asks for one.
    public var password: String?
    /// The database. Default: the user's name.
    public var database: String?
    /// The schema holding the store's tables (lower-case letters, digits, `_`; created if
    /// missing). Default `public`, the database's own schema, where `psql` and every other tool
    /// look first. Stores on different schemas of one database are independent.
    public var schema: String
    /// The time range of one partition of the spans table. Default one day.
    public var partitionWidth: Duration
    /// Partitions created ahead of the current time, so ingest never waits to create one.
    /// Default 2.
    public var partitionsAhead: Int
    /// Connections of the pool. Default 8.
    public var maximumConnections: Int
    /// `application_name` of the connections. Default `choreo-store`.
    public var applicationName: String
    /// Open an existing store for reading only (`choreo --db postgres://…`): nothing is
    /// created or migrated, and the server refuses every write (`default_transaction_read_only`).
    public var readOnly = false

    /// Creates a configuration; see each property for its default.
    public init(
        host: String = "127.0.0.1", port: Int = 5432, username: String = "postgres", password: String? = nil,
        database: String? = nil, schema: String = "public", partitionWidth: Duration = .seconds(86_400),
        partitionsAhead: Int = 2, maximumConnections: Int = 8, applicationName: String = "choreo-store"
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.schema = schema
        self.partitionWidth = partitionWidth
        self.partitionsAhead = partitionsAhead
        self.maximumConnections = maximumConnections
        self.applicationName = applicationName
    }

    /// True when `text` names a PostgreSQL store (`postgres://` or `postgresql://`), not a file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads `postgres://user:password@host:port/database` (also `postgresql://`); the query
    /// item `schema=NAME` sets ``schema``, `sslmode` may only be `disable` (TLS is not supported
    /// yet), `application_name=NAME` sets ``applicationName``.
    ///
    /// - Throws: ``StoreError`` `cannot_open` naming what is wrong.
    public init(url: String) throws {
        guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme ?? ""),
            let host = parts.host, !host.isEmpty
        else {
            throw StoreError(.cannotOpen, "'\(url)' is not a PostgreSQL URL; write postgres://user@host:port/database")
        }
        self.init(host: host, port: parts.port ?? 5432, username: parts.user ?? "postgres", password: parts.password)
        let path = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        database = path.isEmpty ? nil : path
        for item in parts.queryItems ?? [] {
            switch item.name {
            case "schema": schema = item.value ?? ""
            case "application_name": applicationName = item.value ?? ""
            case "sslmode" where item.value == "disable": break
            case "sslmode":
                throw StoreError(.cannotOpen, "sslmode=\(item.value ?? "") is not supported; use sslmode=disable or omit it")
            default:
                throw StoreError(.cannotOpen, "unknown option '\(item.name)' in the PostgreSQL URL; known: schema, sslmode, application_name")
            }
        }
        try validate()
    }

    /// Throws a ``StoreError`` `cannot_open` naming the first value out of range.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw StoreError(.cannotOpen, message) }
        }
        try check(Self.isIdentifier(schema), "schema '\(schema)' must be lower-case letters, digits and '_', starting with a letter, at most 48")
        try check(
            partitionWidth >= .seconds(60) && partitionWidth <= .seconds(366 * 86_400) && partitionWidth.components.attoseconds == 0,
            "partitionWidth must be whole seconds from 1 minute to 366 days")
        try check((0...366).contains(partitionsAhead), "partitionsAhead is \(partitionsAhead); set it from 0 to 366")
        try check(maximumConnections >= 1, "maximumConnections is \(maximumConnections); set it to 1 or more")
        try check(!applicationName.isEmpty && applicationName.utf8.count <= 63, "application_name must be 1 to 63 bytes")
    }

    /// The database as people read it: `host:port/database`, without the password.
    public var displayName: String { "\(host):\(port)/\(database ?? username) schema \(schema)" }

    /// ``partitionWidth`` in nanoseconds.
    var partitionWidthNanos: Int64 { partitionWidth.components.seconds * 1_000_000_000 }

    /// True for a lower-case SQL identifier that needs no quoting.
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.utf8.count <= 48, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// The client configuration of the connection pool.
    var client: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: .disable
        )
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = 0
        configuration.options.additionalStartupParameters = [("application_name", applicationName)]
        if readOnly { configuration.options.additionalStartupParameters.append(("default_transaction_read_only", "on")) }
        return configuration
    }
}
