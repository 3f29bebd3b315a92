import ChoreoFlows
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
    /// Spans waiting to be committed, at most; beyond it ingest answers 503 with `Retry-After`.
    public var ingestQueueCapacity: Int
    /// Spans committed in one transaction, at most.
    public var maxSpansPerCommit: Int
    /// How flows are rebuilt (terminal types; `stuckAfterNanos` is the ceiling of learned stuck
    /// limits and the limit of every type while nothing is learned).
    public var flowOptions: FlowOptions
    /// No learned stuck limit is shorter than this (nanoseconds); 2 s by default.
    public var stuckFloorNanos: UInt64
    /// A learned stuck limit is this many times a type's p99 consumption latency; 10 by default.
    public var stuckMargin: Double
    /// How often the flow index catches up with new spans in the background.
    public var indexInterval: Duration
    /// When set, `POST /v1/traces` needs `Authorization: Bearer <token>`.
    public var ingestToken: AccessToken?
    /// When set, `/api/*` and `/metrics` need `Authorization: Bearer <token>`.
    public var queryToken: AccessToken?

    public init(
        host: String = "127.0.0.1",
        port: Int = 4320,
        databasePath: String = "choreo.sqlite",
        maxBodyBytes: Int = 16 << 20,
        maxDecompressedBytes: Int = 64 << 20,
        ingestQueueCapacity: Int = 200_000,
        maxSpansPerCommit: Int = 20_000,
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
