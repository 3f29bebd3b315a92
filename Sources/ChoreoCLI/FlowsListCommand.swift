import ArgumentParser
import ChoreoModel

/// `choreo flows list`: flows filtered by status and time, as a table or JSON.
public struct FlowsListCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List flows, most recent activity first.",
        discussion: """
            --since and --until take a duration back from now (30s, 15m, 1h, 2d, 1h30m) or an \
            RFC 3339 time (2026-05-01T12:00:00Z).
            """
    )

    @OptionGroup public var options: CollectorOptions

    /// `--status completed,failed` (repeatable).
    @Option(name: .long, help: ArgumentHelp(
        "Only these statuses, comma-separated: \(FlowStatus.allCases.map(\.rawValue).joined(separator: ", ")).",
        valueName: "status"
    ))
    public var status: [String] = []

    /// `--since 1h` or an RFC 3339 time.
    @Option(name: .long, help: ArgumentHelp("Only flows active since then (1h, 30m, 2d or RFC 3339).", valueName: "time"))
    public var since: String?

    /// `--until 10m` or an RFC 3339 time.
    @Option(name: .long, help: ArgumentHelp("Only flows active until then (1h, 30m, 2d or RFC 3339).", valueName: "time"))
    public var until: String?

    /// `--limit N`.
    @Option(name: .long, help: ArgumentHelp("At most this many flows (1 to \(FlowListQuery.maxLimit)).", valueName: "n"))
    public var limit: Int?

    /// An empty value; ArgumentParser fills in the arguments when parsing.
    public init() {}

    /// The validated query at time `now`; a usage error names the bad value.
    public func query(now: UInt64) throws(CLIError) -> FlowListQuery {
        try FlowListQuery.parse(status: status, since: since, until: until, limit: limit, now: now)
    }

    /// Queries the collector and prints the table (or `--json`).
    public func run() async throws {
        let environment = Terminal.environment()
        let endpoint = try options.endpoint(environment: environment)
        let query = try query(now: UnixTime.nowNanos())
        let flows = try await CollectorClient.withClient(endpoint) { try await $0.flows(query) }
        if options.json {
            Terminal.printOutput(try JSONOutput.string(flows))
        } else {
            let renderer = FlowTableRenderer(palette: Terminal.palette(environment: environment))
            Terminal.printOutput(renderer.render(flows, limit: query.limit))
        }
    }
}
