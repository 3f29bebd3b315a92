import ArgumentParser

/// The connection limits and bind time limit every daemon takes alike (``HTTPServerLimits``).
public struct ServerOptions: ParsableArguments {
    @Option(help: "Seconds a connection may stay open with no request arriving before it is closed.")
    public var idleTimeout: Double = 60

    @Option(help: "Seconds a request's line and header fields may take to arrive after its first byte (408 and close beyond).")
    public var headerTimeout: Double = 10

    @Option(help: "Seconds a request's body may take to arrive after its head (the connection is closed beyond).")
    public var bodyTimeout: Double = 120

    @Option(help: "Largest request line (URL included) plus header fields, in bytes (431 beyond).")
    public var maxHeaderBytes: Int = 32 << 10

    @Option(help: "Seconds start-up may take to bind the listen address before the daemon gives up and exits non-zero.")
    public var bindTimeout: Double = 30

    public init() {}

    public func validate() throws {
        for (flag, seconds) in [
            ("--idle-timeout", idleTimeout), ("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout),
            ("--bind-timeout", bindTimeout),
        ] where !(seconds > 0 && seconds <= 86_400) {
            throw ValidationError("\(flag) must be a number of seconds above 0 and at most 86400; got \(seconds)")
        }
        guard (1024...(1 << 20)).contains(maxHeaderBytes) else {
            throw ValidationError("--max-header-bytes must be from 1024 to 1048576; got \(maxHeaderBytes)")
        }
    }

    /// The limits these flags set.
    public var limits: HTTPServerLimits {
        HTTPServerLimits(
            idleTimeout: .seconds(idleTimeout), headerTimeout: .seconds(headerTimeout), bodyTimeout: .seconds(bodyTimeout),
            maxHeaderBytes: maxHeaderBytes
        )
    }

    /// `--bind-timeout` as a duration.
    public var bindLimit: Duration { .seconds(bindTimeout) }
}
