import ArgumentParser

/// `choreo flows show ID`: one flow's header and step tree, or its JSON.
///
/// The tree folds long runs of one step type (`--expand` shows them) and pages with
/// `--from`/`--limit`; `--json` always carries every step. From a collector, the text view
/// reads the flow's outline and then only the steps it shows.
public struct FlowsShowCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one flow: status, outcome, and its steps as a causation tree."
    )

    @OptionGroup public var options: CollectorOptions

    /// The flow's correlation id, e.g. the order id.
    @Argument(help: ArgumentHelp("The flow's correlation id (e.g. the order id).", valueName: "correlation-id"))
    public var correlationID: String

    /// `--expand`: every step, no folded runs.
    @Flag(name: .long, help: "Show every step: do not fold long runs of one step type into a '… N more' line.")
    public var expand = false

    /// `--from N`: the first step shown (tree order, 0-based).
    @Option(name: .long, help: ArgumentHelp("Start at this step (0-based, in the order the tree prints them); text view only.", valueName: "n"))
    public var from: Int = 0

    /// `--limit N`: how many steps to show.
    @Option(name: .long, help: ArgumentHelp("Show at most this many steps; text view only.", valueName: "n"))
    public var limit: Int?

    /// `--raw-times`: times as each service's clock recorded them, not corrected for clock skew.
    @Flag(
        name: .customLong("raw-times"),
        help: "Show times as each service's clock recorded them, not corrected for clock skew (text view; --json has both).")
    public var rawTimes = false

    /// An empty value; ArgumentParser fills in the arguments when parsing.
    public init() {}

    /// The correlation id to look up; a usage error when it is empty.
    public func validatedID() throws(CLIError) -> String {
        guard !correlationID.trimmingSpaces.isEmpty else {
            throw .usage("the correlation id is empty")
        }
        if from < 0 { throw .usage("--from must be 0 or more; got \(from)") }
        if let limit, limit < 1 { throw .usage("--limit must be 1 or more; got \(limit)") }
        return correlationID
    }

    /// Fetches the flow and prints its tree (or `--json`).
    public func run() async throws {
        let environment = Terminal.environment()
        let id = try validatedID()
        if options.json {
            Terminal.printOutput(try await options.withSource(environment: environment) { try await $0.flowJSON(correlationID: id) })
        } else {
            let renderer = FlowTreeRenderer(
                palette: Terminal.palette(environment: environment), expand: expand,
                page: FlowTreeRenderer.Page(from: from, limit: limit), rawTimes: rawTimes)
            Terminal.printOutput(
                try await options.withSource(environment: environment) { try await $0.flowText(correlationID: id, renderer: renderer) })
        }
    }
}
