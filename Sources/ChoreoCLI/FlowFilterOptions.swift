import ArgumentParser
import ChoreoModel

/// The flow filters shared by `flows list`, `map`, `variants` and `export`.
public struct FlowFilterOptions: ParsableArguments, Sendable {
    /// `--status completed,failed` (repeatable).
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Only these statuses, comma-separated: \(FlowStatus.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "status"
        ))
    public var status: [String] = []

    /// `--type PaymentReceived` (repeatable, comma-separated).
    @Option(name: .long, help: ArgumentHelp("Only flows with a message of this type (repeat or comma-separate).", valueName: "type"))
    public var type: [String] = []

    /// `--service payment` (repeatable, comma-separated).
    @Option(name: .long, help: ArgumentHelp("Only flows this service took part in (repeat or comma-separate).", valueName: "service"))
    public var service: [String] = []

    /// `--since 1h` or an RFC 3339 time.
    @Option(name: .long, help: ArgumentHelp("Only flows active since then (30s, 15m, 1h, 7d, 1h30m or RFC 3339).", valueName: "time"))
    public var since: String?

    /// `--until 10m` or an RFC 3339 time.
    @Option(name: .long, help: ArgumentHelp("Only flows that started by then (30s, 15m, 1h, 7d or RFC 3339).", valueName: "time"))
    public var until: String?

    /// `--limit N`.
    @Option(name: .long, help: ArgumentHelp("At most this many flows.", valueName: "n"))
    public var limit: Int?

    /// An empty value; ArgumentParser fills in the arguments when parsing.
    public init() {}

    /// The validated query at time `now`; a usage error names the bad value.
    public func query(now: UInt64, maxLimit: Int = FlowListQuery.maxLimit) throws(CLIError) -> FlowListQuery {
        try FlowListQuery.parse(
            status: status, since: since, until: until, limit: limit, now: now, types: type, services: service, maxLimit: maxLimit
        )
    }
}
