import ArgumentParser
import ChoreoFlows
import Foundation
import NIOSSL

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

    /// `--ca-file FILE`; else `CHOREO_CA_FILE`: the CA trusted for an `https://` collector,
    /// instead of the system's trust store.
    @Option(
        name: .long,
        help: ArgumentHelp(
            "PEM CA certificate(s) trusted for an https:// collector, instead of the system's trust store (default: $CHOREO_CA_FILE).",
            valueName: "file"
        ))
    public var caFile: String?

    /// `--cert-file FILE`: the client certificate for a collector that asks for one (mutual TLS).
    @Option(
        name: .long,
        help: ArgumentHelp("PEM client certificate for an https:// collector that requires one (mutual TLS); needs --key-file.", valueName: "file"))
    public var certFile: String?

    /// `--key-file FILE`: the private key of `--cert-file`.
    @Option(name: .long, help: ArgumentHelp("PEM private key of --cert-file (unencrypted).", valueName: "file"))
    public var keyFile: String?

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
        let tls = try tlsConfiguration(for: endpoint, environment: environment)
        return try await CollectorClient.withClient(endpoint, tls: tls) { try await body($0) }
    }

    /// The TLS of `--ca-file` (or `CHOREO_CA_FILE`), `--cert-file` and `--key-file`; nil when none
    /// is given. A usage error when a file is bad, or when they are given for an `http://` URL.
    func tlsConfiguration(for endpoint: CollectorEndpoint, environment: [String: String]) throws(CLIError) -> TLSConfiguration? {
        let caFile = caFile ?? environment["CHOREO_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        guard caFile != nil || certFile != nil || keyFile != nil else { return nil }
        guard endpoint.baseURL.lowercased().hasPrefix("https://") else {
            throw .usage("--ca-file, --cert-file and --key-file apply to an https:// collector URL; got \(endpoint.baseURL)")
        }
        return try CollectorTLS.configuration(caFile: caFile, certificateFile: certFile, keyFile: keyFile)
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
