import Foundation

/// The body compression of OTLP/HTTP requests.
public enum OTLPCompression: String, Hashable, Sendable {
    /// Plain protobuf.
    case none
    /// `Content-Encoding: gzip`.
    case gzip
}

/// Where and how ``OTLPHTTPExporter`` sends spans.
public struct OTLPHTTPExporterConfiguration: Hashable, Sendable {
    /// The default traces URL: the local agent on the standard OTLP/HTTP port.
    public static let defaultTracesEndpoint = "http://127.0.0.1:4318/v1/traces"

    /// The full URL that receives `POST`s (normally ending in `/v1/traces`).
    public var tracesEndpoint: String
    /// Extra request headers (e.g. authentication).
    public var headers: [String: String]
    /// Body compression.
    public var compression: OTLPCompression
    /// The limit for one request, connection included.
    public var timeout: Duration
    /// Retries of overload, gateway and connection failures.
    public var retry: RetryPolicy
    /// For an `https` endpoint: a PEM file of the CA certificate(s) trusted instead of the
    /// system's trust store (`OTEL_EXPORTER_OTLP_CERTIFICATE`); nil: the system's trust store.
    public var certificateFile: String?
    /// For an `https` endpoint that asks for one: the PEM client certificate chain presented
    /// (`OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE`), with ``clientKeyFile``.
    public var clientCertificateFile: String?
    /// The PEM private key of ``clientCertificateFile`` (`OTEL_EXPORTER_OTLP_CLIENT_KEY`).
    public var clientKeyFile: String?

    /// A configuration; see the properties for the meaning of each value.
    public init(
        tracesEndpoint: String = Self.defaultTracesEndpoint,
        headers: [String: String] = [:],
        compression: OTLPCompression = .none,
        timeout: Duration = .seconds(10),
        retry: RetryPolicy = RetryPolicy(),
        certificateFile: String? = nil,
        clientCertificateFile: String? = nil,
        clientKeyFile: String? = nil
    ) {
        self.tracesEndpoint = tracesEndpoint
        self.headers = headers
        self.compression = compression
        self.timeout = timeout
        self.retry = retry
        self.certificateFile = certificateFile
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
    }

    /// Throws ``ChoreoTracerError`` (`invalid_configuration`) for an unusable URL, a
    /// non-positive timeout, an invalid retry policy, or certificate and key files that cannot
    /// be read or used.
    public func validate() throws {
        try Self.validateEndpoint(tracesEndpoint)
        _ = try makeTLSConfiguration()
        guard timeout > .zero else {
            throw ChoreoTracerError.invalidConfiguration("the export timeout must be positive (got \(timeout))")
        }
        for name in headers.keys where !Self.isToken(name) {
            throw ChoreoTracerError.invalidConfiguration("'\(name)' is not a valid HTTP header name")
        }
        try retry.validate()
    }

    /// ``timeout`` in whole nanoseconds, as NIO's `TimeAmount` wants it.
    var timeoutNanoseconds: Int64 {
        let parts = timeout.components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }

    /// Accepts only absolute `http` or `https` URLs with a host.
    static func validateEndpoint(_ endpoint: String, source: String = "the traces endpoint") throws {
        guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            throw ChoreoTracerError.invalidConfiguration(
                "\(source) '\(endpoint)' is not a valid OTLP endpoint; expected an http(s) URL such as \(defaultTracesEndpoint)"
            )
        }
    }

    /// True for an RFC 9110 token (the characters allowed in a header name).
    static func isToken(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { c in
                switch c {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"):
                    return true
                default:
                    return "!#$%&'*+-.^_`|~".utf8.contains(c)
                }
            }
    }
}
