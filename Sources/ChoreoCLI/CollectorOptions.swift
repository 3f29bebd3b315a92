import ArgumentParser
import ChoreoFlows
import Foundation

/// The options every query command shares: where the collector is, the token, `--json`.
public struct CollectorOptions: ParsableArguments, Sendable {
    /// `--collector URL`; else `CHOREO_COLLECTOR`; else http://127.0.0.1:4320.
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The collector's base URL (default: $CHOREO_COLLECTOR, else \(CollectorEndpoint.defaultURL)).",
            valueName: "url"
        ))
    public var collector: String?

    /// `--token TOKEN`; else `CHOREO_TOKEN`; sent as a bearer token.
    @Option(
        name: .long,
        help: ArgumentHelp(
            "A bearer token for the collector (default: $CHOREO_TOKEN).", valueName: "token"
        ))
    public var token: String?

    /// `--db PATH`: read a collector's SQLite file (or PostgreSQL store) directly, read-only, instead of its API.
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Read this collector database file (or a postgres:// URL, as given to choreo-collector --store) directly, read-only (works while the collector runs), instead of the HTTP API.",
            valueName: "path"
        ))
    public var db: String?

    /// `--flow-definition FILE`, with `--db`: judge flows against this definition.
    @Option(
        name: .long,
        help: ArgumentHelp(
            "With --db: a flow definition file (YAML or JSON) for terminal types, compensations and conformance.",
            valueName: "file"
        ))
    public var flowDefinition: String?

    /// `--json`: print the JSON contract instead of the human view.
    @Flag(name: .long, help: "Print JSON (the documented contract) instead of the human view.")
    public var json = false

    /// An empty value; ArgumentParser fills in the arguments when parsing.
    public init() {}

    /// The endpoint these options and `environment` name; a usage error when the URL is invalid.
    public func endpoint(environment: [String: String]) throws(CLIError) -> CollectorEndpoint {
        try CollectorEndpoint.resolve(collector: collector, token: token, environment: environment)
    }

    /// Runs `body` with the source these options name: the database file (`--db`) or the
    /// collector's API; closes it afterwards.
    public func withSource<Result: Sendable>(
        environment: [String: String], _ body: (any QuerySource) async throws -> Result
    ) async throws -> Result {
        if let db {
            var options = FlowOptions()
            if let flowDefinition { options.definition = try Self.loadDefinition(flowDefinition) }
            return try await DatabaseSource.with(path: db, options: options) { try await body($0) }
        }
        if flowDefinition != nil { throw CLIError.usage("--flow-definition needs --db (the collector applies its own definition)") }
        let endpoint = try endpoint(environment: environment)
        return try await CollectorClient.withClient(endpoint) { try await body($0) }
    }

    static func loadDefinition(_ path: String) throws(CLIError) -> FlowDefinition {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .usage("cannot read --flow-definition \(path): \(error.localizedDescription)")
        }
        do { return try FlowDefinition(parsing: text) } catch {
            throw .usage("invalid --flow-definition \(path): \(error)")
        }
    }
}
