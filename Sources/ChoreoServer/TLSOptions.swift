import ArgumentParser
import ChoreoModel

/// The TLS flags of a daemon's listener, alike on the collector and the agent (``ServerTLS``).
public struct TLSOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "PEM certificate chain (leaf first) to present: --listen then serves HTTPS only, every endpoint. Needs --tls-key-file.",
            valueName: "file"))
    public var tlsCertFile: String?

    @Option(help: ArgumentHelp("PEM private key of --tls-cert-file (unencrypted).", valueName: "file"))
    public var tlsKeyFile: String?

    @Option(
        help: ArgumentHelp(
            "PEM CA certificate(s): every client must present a certificate signed by one of them, or the handshake fails (mutual TLS). Needs --tls-cert-file.",
            valueName: "file"))
    public var tlsClientCaFile: String?

    public init() {}

    public func validate() throws {
        guard (tlsCertFile == nil) == (tlsKeyFile == nil) else {
            throw ValidationError("--tls-cert-file and --tls-key-file go together: give both or neither")
        }
        if tlsClientCaFile != nil, tlsCertFile == nil {
            throw ValidationError("--tls-client-ca-file needs --tls-cert-file and --tls-key-file (client certificates are asked for over TLS only)")
        }
    }

    /// The listener's TLS, files read and checked; nil when no TLS flag is given.
    ///
    /// - Throws: ``ConfigurationError`` naming the flag, the file and the reason.
    public func load() throws(ConfigurationError) -> ServerTLS? {
        guard let tlsCertFile, let tlsKeyFile else { return nil }
        return try ServerTLS.load(certificateFile: tlsCertFile, keyFile: tlsKeyFile, clientCAFile: tlsClientCaFile)
    }
}

extension ServerTLS {
    /// The warning a daemon prints at start-up when bearer tokens guard a listener reachable
    /// beyond loopback without TLS: anyone on the path can read the tokens and the spans.
    /// Nil on loopback, with TLS, or with no token.
    ///
    /// - Parameters:
    ///   - tokenFlags: the token flags given (e.g. `--ingest-token-file`); none: nil.
    ///   - isLoopback: whether `address` is reachable from this machine only (``ListenAddress/isLoopback``).
    public static func cleartextTokenWarning(address: ListenAddress, isLoopback: Bool, tokenFlags: [String], tls: ServerTLS?) -> String? {
        guard tls == nil, !isLoopback, !tokenFlags.isEmpty else { return nil }
        return """
            listening on \(address) (not loopback) over plain HTTP: the bearer tokens of \
            \(tokenFlags.joined(separator: " and ")) and every span cross the network in clear text, \
            readable by anyone on the path. Give --tls-cert-file and --tls-key-file, or terminate TLS \
            in a proxy in front of this port and listen on 127.0.0.1.
            """
    }
}
