import ArgumentParser
import ChoreoModel

/// `choreo`: query flows and traces from a Choreoscope collector.
///
/// Exit status: 0 success, 1 a lookup by id found nothing, 2 usage error, 3 the collector was
/// unreachable or answered unexpectedly. Run it through ``run(arguments:)`` or
/// ``runAndExit(arguments:)``, which apply that mapping and never print a stack trace.
public struct ChoreoCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "choreo",
        abstract: "Query flows (business transactions) and traces from a Choreoscope collector.",
        discussion: """
            Every command reads the collector's API, or its database file with --db PATH. \
            Environment: CHOREO_COLLECTOR (collector URL), CHOREO_TOKEN (bearer token), \
            CHOREO_CA_FILE (CA for an https:// collector), NO_COLOR (no colour). Exit status: 0 success, 1 not found, 2 usage error, \
            3 collector unreachable or unexpected answer.
            """,
        version: "choreo \(ChoreoVersion.current)",
        subcommands: [FlowsCommand.self, TracesCommand.self]
    )

    /// An empty value; ArgumentParser fills in the arguments when parsing.
    public init() {}
}

/// `choreo flows`: list flows or show one.
public struct FlowsCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "flows",
        abstract: "List flows, show one, discover the process map and variants, export.",
        subcommands: [
            FlowsListCommand.self, FlowsShowCommand.self, FlowsMapCommand.self, FlowsVariantsCommand.self,
            FlowsExportCommand.self,
        ]
    )

    /// An empty value; ArgumentParser fills in the arguments when parsing.
    public init() {}
}

/// `choreo traces`: fetch traces.
public struct TracesCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "traces",
        abstract: "Fetch a trace's spans or search traces.",
        subcommands: [TracesGetCommand.self, TracesSearchCommand.self]
    )

    /// An empty value; ArgumentParser fills in the arguments when parsing.
    public init() {}
}
