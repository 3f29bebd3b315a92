import ChoreoModel

/// The filters of `choreo flows list`, already validated, as sent to `GET /api/v1/flows`.
public struct FlowListQuery: Sendable, Hashable {
    /// The largest `--limit` the collector accepts.
    public static let maxLimit = 100_000
    /// The most values the collector accepts in one list filter (`--status`, `--type`,
    /// `--service`, `--attribute`), repeated and comma-separated together.
    public static let maxListValues = 100

    /// Statuses to include; empty means all.
    public var statuses: [FlowStatus]
    /// Only flows with a message of one of these types; empty means all.
    public var types: [String] = []
    /// Only flows one of these services took part in; empty means all.
    public var services: [String] = []
    /// Only flows with activity at or after this time (Unix nanoseconds).
    public var since: UInt64?
    /// Only flows with activity at or before this time (Unix nanoseconds).
    public var until: UInt64?
    /// At most this many flows.
    public var limit: Int?

    /// A query with the given filters.
    public init(
        statuses: [FlowStatus] = [], types: [String] = [], services: [String] = [], since: UInt64? = nil,
        until: UInt64? = nil, limit: Int? = nil
    ) {
        self.statuses = statuses
        self.types = types
        self.services = services
        self.since = since
        self.until = until
        self.limit = limit
    }

    /// Parses the command-line forms: `--status a,b`, `--since`/`--until` (durations back from
    /// `now` or RFC 3339), `--limit`. Throws a usage error (exit 2) naming the bad value.
    public static func parse(
        status: [String], since: String?, until: String?, limit: Int?, now: UInt64,
        types: [String] = [], services: [String] = [], maxLimit: Int = FlowListQuery.maxLimit
    ) throws(CLIError) -> FlowListQuery {
        var query = FlowListQuery()
        query.types = try names(types, option: "--type")
        query.services = try names(services, option: "--service")
        for name in try names(status, option: "--status") {
            guard let value = FlowStatus(rawValue: name.lowercased().replacingDashes) else {
                let valid = FlowStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw .usage("invalid --status \"\(name)\": expected one or more of \(valid), comma-separated")
            }
            if !query.statuses.contains(value) { query.statuses.append(value) }
        }
        query.since = try since.map { text throws(CLIError) in try DurationParser.instant(text, option: "--since", now: now) }
        query.until = try until.map { text throws(CLIError) in try DurationParser.instant(text, option: "--until", now: now) }
        if let since = query.since, let until = query.until, since > until {
            throw .usage("--since (\(UnixTime.rfc3339(since))) is after --until (\(UnixTime.rfc3339(until)))")
        }
        if let limit {
            guard (1...maxLimit).contains(limit) else {
                throw .usage("invalid --limit \(limit): expected a whole number from 1 to \(maxLimit)")
            }
            query.limit = limit
        }
        return query
    }

    /// The distinct non-empty values of a repeatable, comma-separated option; at most
    /// ``maxListValues`` of them.
    static func names(_ values: [String], option: String) throws(CLIError) -> [String] {
        var out: [String] = []
        for name in values.flatMap({ $0.split(separator: ",") }).map({ String($0).trimmingSpaces }) where !name.isEmpty && !out.contains(name) {
            guard out.count < maxListValues else {
                throw .usage("too many \(option) values: at most \(maxListValues), repeated and comma-separated together")
            }
            out.append(name)
        }
        return out
    }

    /// The query string parameters, in a fixed order.
    public var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if !statuses.isEmpty { items.append(("status", statuses.map(\.rawValue).joined(separator: ","))) }
        for type in types { items.append(("type", type)) }
        for service in services { items.append(("service", service)) }
        if let since { items.append(("since", UnixTime.rfc3339(since))) }
        if let until { items.append(("until", UnixTime.rfc3339(until))) }
        if let limit { items.append(("limit", String(limit))) }
        return items
    }
}

extension String {
    /// `in-flight` written for `in_flight`.
    fileprivate var replacingDashes: String {
        String(map { $0 == "-" ? "_" : $0 })
    }
}
