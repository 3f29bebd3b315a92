import ArgumentParser
import ChoreoModel

/// `choreo flows list`: flows filtered by status, type, service and time, as a table or JSON.
public struct FlowsListCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List flows, most recent activity first.",
        discussion: """
            --since and --until take a duration back from now (30s, 15m, 1h, 7d, 1h30m) or an \
            RFC 3339 time (2026-05-01T12:00:00Z).
            """
    )

    @OptionGroup public var options: CollectorOptions
    @OptionGroup public var filters: FlowFilterOptions

    /// An empty value; ArgumentParser fills in the arguments when parsing.
    public init() {}

    /// The validated query at time `now`; a usage error names the bad value.
    public func query(now: UInt64) throws(CLIError) -> FlowListQuery {
        try filters.query(now: now)
    }

    /// Queries the collector (or `--db`) and prints the table (or `--json`).
    public func run() async throws {
        let environment = Terminal.environment()
        let query = try query(now: UnixTime.nowNanos())
        let flows = try await options.withSource(environment: environment) { try await $0.flows(query) }
        if options.json {
            Terminal.printOutput(try JSONOutput.string(flows))
        } else {
            let renderer = FlowTableRenderer(palette: Terminal.palette(environment: environment))
            Terminal.printOutput(renderer.render(flows, limit: query.limit))
        }
    }
}
