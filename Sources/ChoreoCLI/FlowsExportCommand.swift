import ArgumentParser
import ChoreoFlows
import ChoreoModel
import ChoreoQuery

/// `choreo flows export [ID] --format mermaid|dot|json|xes`.
public struct FlowsExportCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export one flow, or the process map / event log of all flows in the window.",
        discussion: """
            With a correlation id: the flow as a Mermaid sequence diagram, a Graphviz DOT graph, \
            its JSON, or a one-case XES log. Without: the process map as Mermaid, DOT or JSON, or \
            every matching flow as an XES event log (PM4Py: pm4py.read_xes) — the latest \
            \(DiscoveryLimits.defaultFlows) unless --limit says otherwise. Written to stdout.
            """
    )

    /// The formats.
    public enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        case mermaid, dot, json, xes
    }

    @OptionGroup public var options: CollectorOptions
    @OptionGroup public var filters: FlowFilterOptions

    /// `--format`.
    @Option(name: .long, help: ArgumentHelp("mermaid, dot, json or xes.", valueName: "format"))
    public var format: Format

    /// The flow to export; all flows in the window when omitted.
    @Argument(help: ArgumentHelp("A flow's correlation id; omit for the map / all flows.", valueName: "correlation-id"))
    public var correlationID: String?

    /// An empty value; ArgumentParser fills in the arguments when parsing.
    public init() {}

    /// Fetches what is exported and writes it to stdout.
    public func run() async throws {
        let environment = Terminal.environment()
        let query = try filters.query(now: UnixTime.nowNanos(), maxLimit: DiscoveryLimits.maxFlows)
        let format = format
        if let id = correlationID {
            guard !id.trimmingSpaces.isEmpty else { throw CLIError.usage("the correlation id is empty") }
            let flow = try await options.withSource(environment: environment) { try await $0.flow(correlationID: id) }
            Terminal.printOutput(try Self.export(flow, format: format))
            return
        }
        let text: String = try await options.withSource(environment: environment) { source in
            switch format {
            case .xes: return try await source.xes(query)
            case .mermaid: return FlowExport.mermaidMap(try await source.map(query))
            case .dot: return FlowExport.dot(try await source.map(query))
            case .json: return try JSONOutput.string(try await source.map(query))
            }
        }
        Terminal.printOutput(text)
    }

    /// One flow in `format`.
    public static func export(_ flow: Flow, format: Format) throws -> String {
        switch format {
        case .mermaid: return FlowExport.mermaidSequence(flow)
        case .dot: return FlowExport.dot(flow)
        case .json: return try JSONOutput.string(flow)
        case .xes: return FlowExport.xes([flow.trail])
        }
    }
}
