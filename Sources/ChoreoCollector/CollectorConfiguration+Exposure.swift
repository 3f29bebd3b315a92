import ChoreoModel
import ChoreoServer

extension CollectorConfiguration {
    /// Refuses a listen address beyond loopback while an endpoint is left without a token,
    /// unless `allowInsecure` (`--insecure`) says a trusted network or proxy guards the port.
    ///
    /// Beyond loopback both tokens are needed: ingest (`--ingest-token-file`) and query
    /// (`--query-token-file`, which also guards `/metrics`); otherwise anyone who can reach the
    /// port could write spans or read every flow. An OTLP/gRPC address beyond loopback needs the
    /// ingest token likewise.
    public func validateExposure(allowInsecure: Bool) throws(ConfigurationError) {
        let address = ListenAddress(host: host, port: port)
        guard !allowInsecure else { return }
        if let grpc = grpcAddress, !grpc.isLoopback, ingestToken == nil {
            throw ConfigurationError(
                code: .exposedWithoutTokens,
                message: """
                    refusing to listen for OTLP/gRPC on \(grpc) (not loopback) with span ingest open to anyone \
                    who can reach it. Give --ingest-token-file, use a loopback --grpc-listen, or pass --insecure \
                    if a trusted network or proxy already guards this port.
                    """
            )
        }
        guard !address.isLoopback else { return }
        var open: [String] = []
        if ingestToken == nil { open.append("span ingest (POST /v1/traces; give --ingest-token-file)") }
        if queryToken == nil { open.append("the query API and /metrics (give --query-token-file)") }
        guard !open.isEmpty else { return }
        throw ConfigurationError(
            code: .exposedWithoutTokens,
            message: """
                refusing to listen on \(address) (not loopback) with \(open.joined(separator: " and ")) \
                open to anyone who can reach it. Give the token files, listen on 127.0.0.1, or pass \
                --insecure if a trusted network or proxy already guards this port.
                """
        )
    }

    /// The start-up warning when tokens guard a listener beyond loopback over plain HTTP (they
    /// would cross the network in clear text); nil with TLS, on loopback or without tokens.
    public func cleartextTokenWarning(isLoopback: Bool) -> String? {
        let flags = [(ingestToken, "--ingest-token-file"), (queryToken, "--query-token-file")].compactMap { $0.0 == nil ? nil : $0.1 }
        return ServerTLS.cleartextTokenWarning(address: ListenAddress(host: host, port: port), isLoopback: isLoopback, tokenFlags: flags, tls: tls)
    }
}
