import ArgumentParser
import ChoreoModel

/// `choreo flows map`: the process map (directly-follows graph of message types) over a window.
public struct FlowsMapCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Discover the process map: which message type follows which, how often, how fast.",
        discussion: """
            Reads the latest \(DiscoveryLimits.defaultFlows) matching flows unless --limit says otherwise. \
            --json prints {"nodes": [{"type","count"}], "edges": [{"from","to","count","p50_ms","p95_ms"}], "flows": n}.
            """
    )

    @OptionGroup public var options: CollectorOptions
    @OptionGroup public var filters: FlowFilterOptions

    /// An empty value; ArgumentParser fills in the arguments when parsing.
    public init() {}

    /// Discovers the map and prints its tables (or `--json`).
    public func run() async throws {
        let environment = Terminal.environment()
        let query = try filters.query(now: UnixTime.nowNanos(), maxLimit: DiscoveryLimits.maxFlows)
        let map = try await options.withSource(environment: environment) { try await $0.map(query) }
        if options.json {
            Terminal.printOutput(try JSONOutput.string(map))
        } else {
            Terminal.printOutput(ProcessMapRenderer(palette: Terminal.palette(environment: environment)).render(map))
        }
    }
}

/// `choreo flows variants`: the distinct paths flows took, most frequent first.
public struct FlowsVariantsCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "variants",
        abstract: "List the variants (distinct sequences of message types) with their frequencies."
    )

    @OptionGroup public var options: CollectorOptions
    @OptionGroup public var filters: FlowFilterOptions

    /// `--top N`: show only the N most frequent variants.
    @Option(name: .long, help: ArgumentHelp("Show only the most frequent N variants.", valueName: "n"))
    public var top: Int?

    /// An empty value; ArgumentParser fills in the arguments when parsing.
    public init() {}

    /// Lists the variants (or `--json`).
    public func run() async throws {
        let environment = Terminal.environment()
        let query = try filters.query(now: UnixTime.nowNanos(), maxLimit: DiscoveryLimits.maxFlows)
        if let top, top < 1 { throw CLIError.usage("invalid --top \(top): expected 1 or more") }
        let report = try await options.withSource(environment: environment) { try await $0.variants(query, top: top) }
        if options.json {
            Terminal.printOutput(try JSONOutput.string(report))
        } else {
            Terminal.printOutput(VariantTableRenderer(palette: Terminal.palette(environment: environment)).render(report))
        }
    }
}
