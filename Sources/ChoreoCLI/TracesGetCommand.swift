import ArgumentParser
import ChoreoModel

/// `choreo traces get TRACE_ID`: a trace's spans as a tree, or its JSON.
public struct TracesGetCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show a trace's spans as a tree by parent, with their messaging attributes."
    )

    @OptionGroup public var options: CollectorOptions

    /// 32 hex digits.
    @Argument(help: ArgumentHelp("The trace id: 32 hex digits.", valueName: "trace-id"))
    public var traceID: String

    /// An empty value; ArgumentParser fills in the arguments when parsing.
    public init() {}

    /// The parsed trace id; a usage error unless it is 32 hex digits, not all zero.
    public func validatedTraceID() throws(CLIError) -> TraceID {
        let text = traceID.trimmingSpaces
        guard let id = TraceID(hex: text), id.isValid else {
            throw .usage("invalid trace id \"\(traceID)\": expected 32 hex digits, not all zero")
        }
        return id
    }

    /// Fetches the trace and prints its span tree (or `--json`).
    public func run() async throws {
        let environment = Terminal.environment()
        let id = try validatedTraceID()
        let document = try await options.withSource(environment: environment) { try await $0.trace(id) }
        if options.json {
            Terminal.printOutput(try JSONOutput.string(document))
        } else {
            let renderer = TraceTreeRenderer(palette: Terminal.palette(environment: environment))
            Terminal.printOutput(renderer.render(traceID: document.traceID, spans: document.spans))
        }
    }
}
