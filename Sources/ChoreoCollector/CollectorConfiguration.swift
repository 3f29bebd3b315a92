import ChoreoFlows
import ChoreoModel
import ChoreoServer

/// Everything the collector needs to start. Validated at start-up by the executable.
public struct CollectorConfiguration: Sendable {
    /// Address to listen on; loopback by default.
    public var host: String
    public var port: Int
    /// Path of the SQLite database file.
    public var databasePath: String
    /// Largest accepted request body (compressed, as received). Larger bodies get 413.
    public var maxBodyBytes: Int
    /// Largest accepted body after gzip decompression. Larger bodies get 413.
    public var maxDecompressedBytes: Int
    /// Spans waiting to be committed, at most; beyond it ingest answers 429 with `Retry-After`.
    /// (A request arriving at an empty queue is always taken, so the queue holds at most
    /// `max(ingestQueueCapacity, maxSpansPerRequest)` spans.)
    public var ingestQueueCapacity: Int
    /// Spans in one request, at most (valid and invalid alike); a larger request gets 413 naming
    /// `--max-spans-per-request`. 10,000 by default (the agent sends at most 4,096 per request).
    public var maxSpansPerRequest: Int
    /// Longest string attribute value kept, in UTF-8 bytes; longer values are truncated (at a
    /// character boundary) and the span lists their keys in `choreo.truncated`. 4,096 by default.
    public var maxAttributeBytes: Int
    /// How long spans are kept, by start time; nil (the default) keeps them forever.
    public var retention: Duration?
    /// How often retention runs (when ``retention`` is set); 5 minutes by default.
    public var retentionInterval: Duration
    /// Spans deleted per retention transaction, at most; 5,000 by default.
    public var retentionChunkSpans: Int
    /// How often `choreo_collector_flows{status}` is recounted; 15 seconds by default.
    public var flowCountInterval: Duration
    /// Spans committed in one transaction, at most.
    public var maxSpansPerCommit: Int
    /// Ingest commits that may run at once (``IngestWriter``): 2 by default, so the next one is
    /// prepared while the store commits the one before.
    public var commitsInFlight = 2
    /// How flows are rebuilt (terminal types; `stuckAfterNanos` is the ceiling of learned stuck
    /// limits and the limit of every type while nothing is learned).
    public var flowOptions: FlowOptions
    /// No learned stuck limit is shorter than this (nanoseconds); 2 s by default.
    public var stuckFloorNanos: UInt64
    /// A learned stuck limit is this many times a type's p99 consumption latency; 10 by default.
    public var stuckMargin: Double
    /// How often the flow index catches up with new spans in the background.
    public var indexInterval: Duration
    /// How long the indexer may put off its passes while ingest is busy (requests waiting or a
    /// commit running): a burst is committed at full speed and indexed as soon as it quiets, or
    /// after this at the latest; 2 s by default (``FlowIndexer``).
    public var indexMaxDeferral: Duration = .seconds(2)
    /// When set, `POST /v1/traces` needs `Authorization: Bearer <token>`.
    public var ingestToken: AccessToken?
    /// When set, `/api/*` and `/metrics` need `Authorization: Bearer <token>`.
    public var queryToken: AccessToken?
    /// When set, the listener serves HTTPS only (ingest and queries alike), and with a client CA
    /// it refuses clients without a certificate signed by it (`--tls-*` flags).
    public var tls: ServerTLS? = nil
    /// When set, OTLP/gRPC ingest (`TraceService/Export`) listens here too (`--grpc-listen`),
    /// with the same token, limits and TLS as `POST /v1/traces`; nil (the default): off.
    public var grpcAddress: ListenAddress? = nil
    /// Flow-aware tail sampling (`--keep-healthy`, `--sampling-delay`); by default every span is kept.
    public var sampling = TailSampling()

    public init(
        host: String = "127.0.0.1",
        port: Int = 4320,
        databasePath: String = "choreo.sqlite",
        maxBodyBytes: Int = 16 << 20,
        maxDecompressedBytes: Int = 64 << 20,
        ingestQueueCapacity: Int = 200_000,
        maxSpansPerCommit: Int = 20_000,
        maxSpansPerRequest: Int = 10_000,
        maxAttributeBytes: Int = 4096,
        retention: Duration? = nil,
        retentionInterval: Duration = .seconds(300),
        retentionChunkSpans: Int = 5000,
        flowCountInterval: Duration = .seconds(15),
        flowOptions: FlowOptions = FlowOptions(),
        stuckFloorNanos: UInt64 = 2_000_000_000,
        stuckMargin: Double = 10,
        indexInterval: Duration = .milliseconds(250),
        ingestToken: AccessToken? = nil,
        queryToken: AccessToken? = nil
    ) {
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.maxBodyBytes = maxBodyBytes
        self.maxDecompressedBytes = maxDecompressedBytes
        self.ingestQueueCapacity = ingestQueueCapacity
        self.maxSpansPerCommit = maxSpansPerCommit
        self.maxSpansPerRequest = maxSpansPerRequest
        self.maxAttributeBytes = maxAttributeBytes
        self.retention = retention
        self.retentionInterval = retentionInterval
        self.retentionChunkSpans = retentionChunkSpans
        self.flowCountInterval = flowCountInterval
        self.flowOptions = flowOptions
        self.stuckFloorNanos = stuckFloorNanos
        self.stuckMargin = stuckMargin
        self.indexInterval = indexInterval
        self.ingestToken = ingestToken
        self.queryToken = queryToken
    }
}

extension CollectorConfiguration {
    /// How the collector learns stuck limits: margin and floor as configured, ceiling the
    /// fixed limit of ``flowOptions``.
    public var latencyLearnerConfiguration: LatencyLearner.Configuration {
        LatencyLearner.Configuration(
            margin: stuckMargin, floorNanos: stuckFloorNanos, ceilingNanos: flowOptions.stuckAfterNanos
        )
    }
}
