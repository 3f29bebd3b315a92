import ArgumentParser
import ChoreoModel

/// The connection limits and bind time limit every daemon takes alike (``HTTPServerLimits``).
public struct ServerOptions: ParsableArguments {
    @Option(
        help: "How long a connection may stay open with no request arriving before it is closed, e.g. 60s or 2m (a bare number is seconds; default 60s).",
        transform: DurationFlag.seconds)
    public var idleTimeout: Duration = .seconds(60)

    @Option(
        help:
            "How long a request's line and header fields may take to arrive after its first byte, e.g. 10s (408 and close beyond; a bare number is seconds; default 10s).",
        transform: DurationFlag.seconds)
    public var headerTimeout: Duration = .seconds(10)

    @Option(
        help: "How long a request's body may take to arrive after its head, e.g. 2m (the connection is closed beyond; a bare number is seconds; default 2m).",
        transform: DurationFlag.seconds)
    public var bodyTimeout: Duration = .seconds(120)

    @Option(help: "Largest request line (URL included) plus header fields, in bytes (431 beyond).")
    public var maxHeaderBytes: Int = 32 << 10

    @Option(
        help:
            "How long start-up may take to bind the listen address before the daemon gives up and exits non-zero, e.g. 30s (a bare number is seconds; default 30s).",
        transform: DurationFlag.seconds)
    public var bindTimeout: Duration = .seconds(30)

    public init() {}

    public func validate() throws {
        for (flag, limit) in [
            ("--idle-timeout", idleTimeout), ("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout),
            ("--bind-timeout", bindTimeout),
        ] where !(limit > .zero && limit <= .seconds(86_400)) {
            throw ValidationError("\(flag) must be above 0s and at most 1d; got \(DurationText.format(limit))")
        }
        guard (1024...(1 << 20)).contains(maxHeaderBytes) else {
            throw ValidationError("--max-header-bytes must be from 1024 to 1048576; got \(maxHeaderBytes)")
        }
    }

    /// The limits these flags set.
    public var limits: HTTPServerLimits {
        HTTPServerLimits(
            idleTimeout: idleTimeout, headerTimeout: headerTimeout, bodyTimeout: bodyTimeout, maxHeaderBytes: maxHeaderBytes
        )
    }
}
