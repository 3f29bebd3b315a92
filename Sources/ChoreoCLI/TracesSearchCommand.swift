import ArgumentParser
import ChoreoModel
import ChoreoStore

/// `choreo traces search`: traces with a span matching every condition, newest first.
public struct TracesSearchCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find traces by service, span name, attribute, errors and time."
    )

    @OptionGroup public var options: CollectorOptions

    /// `--service`: a span of this service.
    @Option(name: .long, help: ArgumentHelp("A span of this service.", valueName: "service"))
    public var service: String?

    /// `--name`: a span whose name contains this text.
    @Option(name: .long, help: ArgumentHelp("A span whose name contains this text.", valueName: "text"))
    public var name: String?

    /// `--attribute key=value` (repeatable): exact attribute values.
    @Option(name: .long, help: ArgumentHelp("A span attribute with exactly this value (repeatable).", valueName: "key=value"))
    public var attribute: [String] = []

    /// `--errors`: only traces with an error span.
    @Flag(name: .long, help: "Only traces with an error span.")
    public var errors = false

    /// `--since`: a duration back from now, or RFC 3339.
    @Option(name: .long, help: ArgumentHelp("Spans since then (30s, 15m, 1h, 7d or RFC 3339).", valueName: "time"))
    public var since: String?

    /// `--until`: a duration back from now, or RFC 3339.
    @Option(name: .long, help: ArgumentHelp("Spans until then (30s, 15m, 1h, 7d or RFC 3339).", valueName: "time"))
    public var until: String?

    /// `--limit`: at most this many traces.
    @Option(name: .long, help: ArgumentHelp("At most this many traces (1 to 1000, default 20).", valueName: "n"))
    public var limit: Int = 20

    /// An empty value; ArgumentParser fills in the arguments when parsing.
    public init() {}

    /// The validated query at time `now`.
    public func query(now: UInt64) throws(CLIError) -> TraceQuery {
        var query = TraceQuery(service: service, name: name, errorsOnly: errors, limit: limit)
        guard attribute.count <= FlowListQuery.maxListValues else {
            throw .usage("too many --attribute values: at most \(FlowListQuery.maxListValues)")
        }
        for pair in attribute {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw .usage("invalid --attribute \"\(pair)\": expected key=value")
            }
            query.attributes[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        query.since = try since.map { text throws(CLIError) in try DurationParser.instant(text, option: "--since", now: now) }
        query.until = try until.map { text throws(CLIError) in try DurationParser.instant(text, option: "--until", now: now) }
        guard (1...1_000).contains(limit) else { throw .usage("invalid --limit \(limit): expected a whole number from 1 to 1000") }
        return query
    }

    /// Searches and prints a table (or `--json`).
    public func run() async throws {
        let environment = Terminal.environment()
        let query = try query(now: UnixTime.nowNanos())
        let traces = try await options.withSource(environment: environment) { try await $0.traces(query) }
        if options.json {
            Terminal.printOutput(try JSONOutput.string(traces))
        } else {
            Terminal.printOutput(TraceTableRenderer(palette: Terminal.palette(environment: environment)).render(traces))
        }
    }
}
