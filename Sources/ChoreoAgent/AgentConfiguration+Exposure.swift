import ChoreoModel
import ChoreoServer

extension AgentConfiguration {
    /// Refuses a listen address beyond loopback without ``ingestToken``, unless `allowInsecure`
    /// (`--insecure`) says a trusted network or proxy guards the port: otherwise anyone who can
    /// reach it could feed spans into the pipeline.
    public func validateExposure(allowInsecure: Bool) throws(ConfigurationError) {
        guard !allowInsecure, ingestToken == nil else { return }
        if let grpc = grpcAddress, !grpc.isLoopback {
            throw ConfigurationError(
                code: .exposedWithoutTokens,
                message: """
                    refusing to listen for OTLP/gRPC on \(grpc) (not loopback) with the receiver open to anyone \
                    who can reach it. Give --ingest-token-file, use a loopback --grpc-listen (or none), or pass \
                    --insecure if a trusted network or proxy already guards this port.
                    """
            )
        }
        let address = ListenAddress(host: host, port: port)
        guard !address.isLoopback else { return }
        throw ConfigurationError(
            code: .exposedWithoutTokens,
            message: """
                refusing to listen on \(address) (not loopback) with the OTLP receiver and /metrics open \
                to anyone who can reach it. Give --ingest-token-file, listen on 127.0.0.1, or pass \
                --insecure if a trusted network or proxy already guards this port.
                """
        )
    }

    /// Start-up warnings about tokens crossing the network in clear text: the receiver's token
    /// on a listener beyond loopback without TLS, and the collector token sent to an `http://`
    /// collector that is not on loopback.
    ///
    /// - Parameter isLoopback: whether a host is reachable from this machine only (``ListenAddress/isLoopback``).
    public func cleartextTokenWarnings(isLoopback: (String) -> Bool) -> [String] {
        var warnings: [String] = []
        if let warning = ServerTLS.cleartextTokenWarning(
            address: ListenAddress(host: host, port: port), isLoopback: isLoopback(host),
            tokenFlags: ingestToken == nil ? [] : ["--ingest-token-file"], tls: tls)
        {
            warnings.append(warning)
        }
        guard collectorToken != nil else { return warnings }
        for url in collectorURLs {
            let lower = url.lowercased()
            guard lower.hasPrefix("http://"), let host = Self.host(of: url), !isLoopback(host) else { continue }
            warnings.append(
                """
                the --collector-token-file token goes to \(url) over plain HTTP (not loopback): it and every span \
                cross the network in clear text. Use an https:// collector (with --collector-ca-file for a private CA).
                """
            )
        }
        return warnings
    }

    /// The host of an `http(s)://` URL, brackets of an IPv6 address removed.
    static func host(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@").last.map(String.init) ?? ""
        if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {
            return String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
        }
        let host = hostPort.split(separator: ":", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return host.isEmpty ? nil : host
    }
}
