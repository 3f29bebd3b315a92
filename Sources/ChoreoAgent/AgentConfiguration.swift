import ChoreoModel
import ChoreoServer
import NIOSSL

/// Everything the agent needs to start. Validated at start-up by the executable.
public struct AgentConfiguration: Sendable {
    /// Address to listen on for OTLP/HTTP; loopback by default (4318 is the OTLP/HTTP default port).
    public var host: String
    public var port: Int
    /// The collector (or any OTLP/HTTP endpoint): a base URL, to which `/v1/traces` is
    /// appended, or a full URL already ending in `/v1/traces` (see ``tracesURL``). The first of
    /// ``collectorURLs``.
    public var collectorURL: String {
        get { collectorURLs[0] }
        set { collectorURLs[0] = newValue }
    }
    /// Every collector, when several share the work (`--collector` given more than once): the
    /// agent spreads requests over the healthy ones and fails over (``FailoverSender``).
    public var collectorURLs: [String]
    /// Extra headers sent with every forwarded request.
    public var collectorHeaders: [String: String]
    /// When set, forwarded requests carry `Authorization: Bearer <token>` (see ``forwardingHeaders``).
    public var collectorToken: AccessToken?
    /// When set, the receiver (`POST /v1/traces`) and `/metrics` need `Authorization: Bearer <token>`.
    public var ingestToken: AccessToken?
    /// Largest accepted request body as received. Larger bodies get 413.
    public var maxBodyBytes: Int
    /// Largest accepted body after gzip decompression.
    public var maxDecompressedBytes: Int
    /// Spans held in memory waiting to be forwarded, at most; beyond it senders get 503 + `Retry-After`.
    public var queueCapacity: Int
    /// Serialized bytes of spans held in memory, at most (`--queue-max-bytes`): what bounds the
    /// memory-only agent's footprint, as spans vary in size. Beyond it senders get 503 + `Retry-After`.
    public var queueMaxBytes: Int = 8 << 20
    /// Spans per forwarded request, at most; no more than ``UpstreamLimits/maxSpansPerRequest``
    /// (``validateUpstreamLimits()``).
    public var batchMaxSpans: Int
    /// What one request to the next hop may carry: the receiver refuses (413) a request beyond
    /// it, and batches never exceed it.
    public var upstream: UpstreamLimits
    /// How long the first queued span waits for its batch to fill before it is sent anyway.
    public var batchMaxDelay: Duration
    /// Backoff before the first retry; doubles per retry (with jitter) up to ``maxBackoff``.
    public var initialBackoff: Duration
    /// The retry backoff never grows past this.
    public var maxBackoff: Duration
    /// The forwarder's retry backoff: ``initialBackoff`` doubling up to ``maxBackoff``, each
    /// wait drawn between half the backoff and the backoff (equal jitter).
    public var backoff: Backoff {
        Backoff(initial: initialBackoff, maximum: maxBackoff, jitter: .equal)
    }
    /// Timeout of one forwarding request.
    public var requestTimeout: Duration
    /// How long graceful shutdown keeps trying to forward what is queued.
    public var shutdownGrace: Duration
    /// The disk spool (`--spool-dir`); nil keeps spans in memory only (``queueCapacity``).
    public var spool: SpoolConfiguration?
    /// When set, the receiver serves HTTPS only, and with a client CA it refuses clients without
    /// a certificate signed by it (`--tls-*` flags).
    public var tls: ServerTLS? = nil
    /// When set, an OTLP/gRPC receiver (`TraceService/Export`) listens here too, with the same
    /// token, limits and TLS as `POST /v1/traces`; nil: off. The executable sets 127.0.0.1:4317
    /// unless `--grpc-listen none`; nil by default here, so an embedded agent binds no fixed port.
    public var grpcAddress: ListenAddress? = nil
    /// How `https://` collectors are reached: the CA trusted instead of the system's trust store
    /// (`--collector-ca-file`) and the certificate presented for mutual TLS
    /// (`--collector-cert-file`, `--collector-key-file`); nil: the system's trust store, no certificate.
    public var collectorTLS: TLSConfiguration? = nil

    public init(
        host: String = "127.0.0.1",
        port: Int = 4318,
        collectorURL: String = "http://127.0.0.1:4320",
        collectorHeaders: [String: String] = [:],
        collectorToken: AccessToken? = nil,
        ingestToken: AccessToken? = nil,
        maxBodyBytes: Int = 16 << 20,
        maxDecompressedBytes: Int = 64 << 20,
        queueCapacity: Int = 100_000,
        batchMaxSpans: Int = 4096,
        upstream: UpstreamLimits = UpstreamLimits(),
        batchMaxDelay: Duration = .milliseconds(200),
        initialBackoff: Duration = .milliseconds(100),
        maxBackoff: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(10),
        shutdownGrace: Duration = .seconds(10),
        spool: SpoolConfiguration? = nil
    ) {
        self.host = host
        self.port = port
        self.collectorURLs = [collectorURL]
        self.collectorHeaders = collectorHeaders
        self.collectorToken = collectorToken
        self.ingestToken = ingestToken
        self.maxBodyBytes = maxBodyBytes
        self.maxDecompressedBytes = maxDecompressedBytes
        self.queueCapacity = queueCapacity
        self.batchMaxSpans = batchMaxSpans
        self.upstream = upstream
        self.batchMaxDelay = batchMaxDelay
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.requestTimeout = requestTimeout
        self.shutdownGrace = shutdownGrace
        self.spool = spool
    }

    /// The headers of every forwarded request: ``collectorHeaders`` plus `Authorization` when
    /// ``collectorToken`` is set (the token wins over an `Authorization` in ``collectorHeaders``).
    public var forwardingHeaders: [String: String] {
        guard let collectorToken else { return collectorHeaders }
        var headers = collectorHeaders.filter { $0.key.lowercased() != "authorization" }
        headers["Authorization"] = collectorToken.authorizationValue
        return headers
    }

    /// The URL spans are posted to (the first collector's).
    public var tracesURL: String { Self.tracesURL(collectorURL) }

    /// The URL spans are posted to, per collector.
    public var tracesURLs: [String] { collectorURLs.map(Self.tracesURL) }

    private static func tracesURL(_ collector: String) -> String {
        var base = collector
        while base.hasSuffix("/") { base.removeLast() }
        return base.hasSuffix("/v1/traces") ? base : base + "/v1/traces"
    }
}
