import ArgumentParser

/// `choreo flows show ID`: one flow's header and step tree, or its JSON.
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

    /// An empty value; ArgumentParser fills in the arguments when parsing.
    public init() {}

    /// The correlation id to look up; a usage error when it is empty.
    public func validatedID() throws(CLIError) -> String {
        guard !correlationID.trimmingSpaces.isEmpty else {
            throw .usage("the correlation id is empty")
        }
        return correlationID
    }

    /// Fetches the flow and prints its tree (or `--json`).
    public func run() async throws {
        let environment = Terminal.environment()
        let id = try validatedID()
        let flow = try await options.withSource(environment: environment) { try await $0.flow(correlationID: id) }
        if options.json {
            Terminal.printOutput(try JSONOutput.string(flow))
        } else {
            Terminal.printOutput(FlowTreeRenderer(palette: Terminal.palette(environment: environment)).render(flow))
        }
    }
}
