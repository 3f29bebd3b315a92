import ChoreoModel
import ChoreoServer

extension AgentConfiguration {
    /// Refuses a listen address beyond loopback without ``ingestToken``, unless `allowInsecure`
    /// (`--insecure`) says a trusted network or proxy guards the port: otherwise anyone who can
    /// reach it could feed spans into the pipeline.
    public func validateExposure(allowInsecure: Bool) throws(ConfigurationError) {
        let address = ListenAddress(host: host, port: port)
        guard !address.isLoopback, !allowInsecure, ingestToken == nil else { return }
        throw ConfigurationError(
            code: .exposedWithoutTokens,
            message: """
                refusing to listen on \(address) (not loopback) with the OTLP receiver and /metrics open \
                to anyone who can reach it. Give --ingest-token-file, listen on 127.0.0.1, or pass \
                --insecure if a trusted network or proxy already guards this port.
                """
        )
    }
}
