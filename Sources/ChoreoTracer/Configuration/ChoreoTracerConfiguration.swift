import ChoreoModel

/// Everything ``ChoreoTracing`` needs to build a tracer that exports OTLP/HTTP: the service's
/// name, where to send spans, and how to batch them.
///
/// Build one in code, or from the standard OpenTelemetry environment variables with
/// ``fromEnvironment(serviceName:environment:)``. Invalid values are reported by ``validate()``
/// at start-up, never later.
public struct ChoreoTracerConfiguration: Hashable, Sendable {
    /// The resource's `service.name`.
    public var serviceName: String
    /// Further resource attributes (e.g. `deployment.environment`), without `service.name`.
    public var resourceAttributes: [String: AttributeValue]
    /// The full traces URL (normally ending in `/v1/traces`).
    public var endpoint: String
    /// Extra request headers.
    public var headers: [String: String]
    /// Request body compression.
    public var compression: OTLPCompression
    /// The limit for one export request.
    public var exportTimeout: Duration
    /// Retries of overload, gateway and connection failures.
    public var retry: RetryPolicy
    /// For an `https` endpoint: the PEM CA file trusted instead of the system's trust store
    /// (`OTEL_EXPORTER_OTLP_CERTIFICATE`).
    public var certificateFile: String? = nil
    /// For an `https` endpoint that asks for one: the PEM client certificate
    /// (`OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE`), with ``clientKeyFile``.
    public var clientCertificateFile: String? = nil
    /// The PEM private key of ``clientCertificateFile`` (`OTEL_EXPORTER_OTLP_CLIENT_KEY`).
    public var clientKeyFile: String? = nil
    /// The most spans held while waiting for export; more are dropped and counted.
    public var maxQueueSize: Int
    /// The most spans in one export request.
    public var maxExportBatchSize: Int
    /// The longest a span waits in the queue before an export.
    public var scheduleDelay: Duration
    /// The most spans held for a later attempt while the endpoint is unreachable; past it the
    /// oldest are dropped and counted.
    public var maxUnsentSpans: Int
    /// At shutdown, how long the tracer keeps trying to export before it gives up (and logs
    /// how many spans were not exported).
    public var shutdownTimeout: Duration
    /// Which spans are sampled (`OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`).
    public var sampler: SamplerSelection = .default
    /// The context propagators (`OTEL_PROPAGATORS`).
    public var propagators: Propagators = .default
    /// True when `OTEL_SDK_DISABLED` is `true`: the tracer records and exports nothing and
    /// propagates nothing.
    public var sdkDisabled = false

    /// A configuration exporting to the local agent, with OpenTelemetry's batching defaults
    /// except a larger queue (65,536 spans, for bursts) and a shorter schedule delay.
    public init(
        serviceName: String,
        resourceAttributes: [String: AttributeValue] = [:],
        endpoint: String = OTLPHTTPExporterConfiguration.defaultTracesEndpoint,
        headers: [String: String] = [:],
        compression: OTLPCompression = .none,
        exportTimeout: Duration = .seconds(10),
        retry: RetryPolicy = RetryPolicy(),
        maxQueueSize: Int = 65_536,
        maxExportBatchSize: Int = 512,
        scheduleDelay: Duration = .milliseconds(500),
        maxUnsentSpans: Int = 65_536,
        shutdownTimeout: Duration = .seconds(5)
    ) {
        self.serviceName = serviceName
        self.resourceAttributes = resourceAttributes
        self.endpoint = endpoint
        self.headers = headers
        self.compression = compression
        self.exportTimeout = exportTimeout
        self.retry = retry
        self.maxQueueSize = maxQueueSize
        self.maxExportBatchSize = maxExportBatchSize
        self.scheduleDelay = scheduleDelay
        self.maxUnsentSpans = maxUnsentSpans
        self.shutdownTimeout = shutdownTimeout
    }

    /// A tracer with this configuration's service, resource, sampler and propagators, handing
    /// its spans to `processor`. With ``sdkDisabled`` it samples nothing (so hands nothing on)
    /// and propagates nothing.
    public func tracer(processor: any SpanProcessor, idGenerator: IDGenerator = IDGenerator()) -> ChoreoTracer {
        ChoreoTracer(
            serviceName: serviceName, resourceAttributes: resourceAttributes,
            processor: sampler.flowSampling.map { FlowSamplingProcessor(wrapping: processor, sampling: $0) } ?? processor, idGenerator: idGenerator,
            sampler: effectiveSampler, propagators: effectivePropagators
        )
    }

    /// The sampler the tracer asks (none when ``sdkDisabled``: then nothing is sampled).
    var effectiveSampler: (any Sampler)? {
        sdkDisabled ? AlwaysOffSampler() : sampler.makeSampler()
    }

    /// The propagators the tracer uses (none when ``sdkDisabled``).
    var effectivePropagators: Propagators { sdkDisabled ? [] : propagators }

    /// The exporter's part of the configuration.
    public var exporter: OTLPHTTPExporterConfiguration {
        OTLPHTTPExporterConfiguration(
            tracesEndpoint: endpoint, headers: headers, compression: compression, timeout: exportTimeout, retry: retry,
            certificateFile: certificateFile, clientCertificateFile: clientCertificateFile, clientKeyFile: clientKeyFile
        )
    }

    /// The batch span processor's part of the configuration.
    public var batch: BatchSpanProcessorConfiguration {
        BatchSpanProcessorConfiguration(
            maxQueueSize: maxQueueSize, maxExportBatchSize: maxExportBatchSize, scheduleDelay: scheduleDelay,
            maxUnsentSpans: maxUnsentSpans, shutdownTimeout: shutdownTimeout
        )
    }

    /// Throws ``ChoreoTracerError`` (`invalid_configuration`) naming the first invalid value.
    public func validate() throws {
        guard !serviceName.isEmpty else {
            throw ChoreoTracerError.invalidConfiguration("the service name must not be empty")
        }
        try exporter.validate()
        try batch.validate()
    }
}
