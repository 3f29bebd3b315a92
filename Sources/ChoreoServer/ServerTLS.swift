import HummingbirdCore
import NIOSSL

/// TLS on a daemon's listener (`--tls-cert-file`, `--tls-key-file`, `--tls-client-ca-file`):
/// the certificate chain and key it presents and, with a client CA, the requirement that every
/// client presents a certificate signed by that CA (mutual TLS).
///
/// Loaded once at start-up (``load(certificateFile:keyFile:clientCAFile:)``), so a bad file is a
/// start-up error; TLS 1.2 is the oldest version accepted.
public struct ServerTLS: Sendable {
    /// The PEM certificate chain file (leaf first).
    public let certificateFile: String
    /// The PEM private key file of the leaf certificate.
    public let keyFile: String
    /// The PEM file of the CA(s) client certificates must be signed by; nil: no client certificate asked for.
    public let clientCAFile: String?
    /// The TLS configuration of the listener.
    public let configuration: TLSConfiguration

    /// True when clients must present a certificate signed by ``clientCAFile``.
    public var requiresClientCertificate: Bool { clientCAFile != nil }

    /// Reads and checks the files: each must hold PEM of the right kind, the leaf certificate
    /// must be valid now, and the key must belong to it.
    ///
    /// - Throws: ``ConfigurationError`` (`tlsFileUnreadable`, `tlsFileInvalid`) naming the flag,
    ///   the file and the reason.
    public static func load(certificateFile: String, keyFile: String, clientCAFile: String? = nil) throws(ConfigurationError) -> ServerTLS {
        let chain = try TLSFiles.certificates(certificateFile, flag: "--tls-cert-file")
        try TLSFiles.checkValidity(chain[0], file: certificateFile, flag: "--tls-cert-file")
        let key = try TLSFiles.privateKey(keyFile, flag: "--tls-key-file")
        var configuration: TLSConfiguration
        if let clientCAFile {
            let authorities = try TLSFiles.certificates(clientCAFile, flag: "--tls-client-ca-file")
            configuration = .makeServerConfigurationWithMTLS(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key), trustRoots: .certificates(authorities)
            )
            configuration.sendCANameList = true
        } else {
            configuration = .makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        }
        configuration.minimumTLSVersion = .tlsv12
        try TLSFiles.checkContext(
            configuration, "--tls-key-file \(keyFile) cannot be used with --tls-cert-file \(certificateFile): is it the key of that certificate?"
        )
        return ServerTLS(certificateFile: certificateFile, keyFile: keyFile, clientCAFile: clientCAFile, configuration: configuration)
    }

    /// The scheme clients use to reach a listener with this TLS (or none): `https` or `http`.
    public static func scheme(_ tls: ServerTLS?) -> String { tls == nil ? "http" : "https" }
}

/// The TLS configuration of a client of a collector (the agent forwarding, the CLI querying):
/// which CA to trust and, for mutual TLS, the certificate to present.
public enum ClientTLS {
    /// A client configuration, or nil when no file is given (the system's trust store applies
    /// to `https://` URLs then).
    ///
    /// - Parameters:
    ///   - caFile: the PEM CA file trusted *instead of* the system's trust store.
    ///   - certificateFile: the PEM certificate chain presented to the server (mutual TLS).
    ///   - keyFile: its private key; given together with `certificateFile`.
    ///   - flags: the flag names for the three files, for error messages.
    /// - Throws: ``ConfigurationError`` naming the flag, the file and the reason.
    public static func configuration(
        caFile: String?, certificateFile: String?, keyFile: String?, flags: (ca: String, certificate: String, key: String)
    ) throws(ConfigurationError) -> TLSConfiguration? {
        guard caFile != nil || certificateFile != nil || keyFile != nil else { return nil }
        guard (certificateFile == nil) == (keyFile == nil) else {
            throw ConfigurationError(code: .tlsFileInvalid, message: "\(flags.certificate) and \(flags.key) go together: give both or neither")
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile {
            configuration.trustRoots = .certificates(try TLSFiles.certificates(caFile, flag: flags.ca))
        }
        if let certificateFile, let keyFile {
            let chain = try TLSFiles.certificates(certificateFile, flag: flags.certificate)
            try TLSFiles.checkValidity(chain[0], file: certificateFile, flag: flags.certificate)
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(try TLSFiles.privateKey(keyFile, flag: flags.key))
            try TLSFiles.checkContext(
                configuration, "\(flags.key) \(keyFile) cannot be used with \(flags.certificate) \(certificateFile): is it the key of that certificate?"
            )
        }
        return configuration
    }
}
