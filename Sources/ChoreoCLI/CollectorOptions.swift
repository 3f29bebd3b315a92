import ArgumentParser

/// The options every query command shares: where the collector is, the token, `--json`.
public struct CollectorOptions: ParsableArguments, Sendable {
    /// `--collector URL`; else `CHOREO_COLLECTOR`; else http://127.0.0.1:4320.
    @Option(name: .long, help: ArgumentHelp(
        "The collector's base URL (default: $CHOREO_COLLECTOR, else \(CollectorEndpoint.defaultURL)).",
        valueName: "url"
    ))
    public var collector: String?

    /// `--token TOKEN`; else `CHOREO_TOKEN`; sent as a bearer token.
    @Option(name: .long, help: ArgumentHelp(
        "A bearer token for the collector (default: $CHOREO_TOKEN).", valueName: "token"
    ))
    public var token: String?

    /// `--json`: print the JSON contract instead of the human view.
    @Flag(name: .long, help: "Print JSON (the documented contract) instead of the human view.")
    public var json = false

    /// An empty value; ArgumentParser fills in the arguments when parsing.
    public init() {}

    /// The endpoint these options and `environment` name; a usage error when the URL is invalid.
    public func endpoint(environment: [String: String]) throws(CLIError) -> CollectorEndpoint {
        try CollectorEndpoint.resolve(collector: collector, token: token, environment: environment)
    }
}
