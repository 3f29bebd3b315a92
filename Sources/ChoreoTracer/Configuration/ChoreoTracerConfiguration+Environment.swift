import ChoreoModel
import Foundation

extension ChoreoTracerConfiguration {
    /// A configuration from the OpenTelemetry environment variables, validated.
    ///
    /// Read: `OTEL_SERVICE_NAME` (overrides `serviceName`), `OTEL_RESOURCE_ATTRIBUTES`,
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as-is) or `OTEL_EXPORTER_OTLP_ENDPOINT`
    /// (`/v1/traces` appended; default `http://127.0.0.1:4318`), `OTEL_EXPORTER_OTLP_[TRACES_]HEADERS`
    /// (`k=v` pairs, comma-separated, URL-encoded), `OTEL_EXPORTER_OTLP_[TRACES_]COMPRESSION`
    /// (`gzip` or `none`), `OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT` (ms),
    /// `OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL` (only `http/protobuf`),
    /// `OTEL_EXPORTER_OTLP_[TRACES_]CERTIFICATE` (PEM CA file trusted for an https endpoint, instead
    /// of the system's trust store), `OTEL_EXPORTER_OTLP_[TRACES_]CLIENT_CERTIFICATE` and
    /// `OTEL_EXPORTER_OTLP_[TRACES_]CLIENT_KEY` (PEM client certificate and key, for mutual TLS;
    /// all three files are read at once), `OTEL_BSP_SCHEDULE_DELAY` (ms),
    /// `OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, `OTEL_BSP_EXPORT_TIMEOUT` (ms;
    /// an export is one request, so it is bounded by the smaller of this and the OTLP timeout),
    /// `OTEL_SDK_DISABLED` (`true` or `false`), `OTEL_TRACES_SAMPLER` and
    /// `OTEL_TRACES_SAMPLER_ARG` (``SamplerSelection``), `OTEL_PROPAGATORS` (``Propagators``), and ours:
    /// `CHOREO_TRACER_SHUTDOWN_TIMEOUT` (ms, how long shutdown keeps exporting; default 5000) and
    /// `CHOREO_TRACER_MAX_UNSENT_SPANS` (spans held while the endpoint is unreachable; default
    /// 65536). Empty values count as unset. `CHOREO_TRACER_EXPORT_LOG` (see ``ExportLog``) is read by
    /// ``ChoreoTracing/make(configuration:exportLogPath:logger:)``, not here.
    ///
    /// - Throws: ``ChoreoTracerError`` (`invalid_configuration`) naming the variable at fault.
    public static func fromEnvironment(
        serviceName: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Self {
        let env = EnvironmentReader(environment)
        var config = Self(serviceName: serviceName)

        var resource = try env.keyValueList("OTEL_RESOURCE_ATTRIBUTES")
        if let name = resource.removeValue(forKey: MessagingKey.serviceName), !name.isEmpty {
            config.serviceName = name
        }
        config.resourceAttributes = resource.mapValues { AttributeValue.string($0) }
        if let name = env["OTEL_SERVICE_NAME"] { config.serviceName = name }

        if let endpoint = env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] {
            try OTLPHTTPExporterConfiguration.validateEndpoint(endpoint, source: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            config.endpoint = endpoint
        } else if let base = env["OTEL_EXPORTER_OTLP_ENDPOINT"] {
            try OTLPHTTPExporterConfiguration.validateEndpoint(base, source: "OTEL_EXPORTER_OTLP_ENDPOINT")
            config.endpoint = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/v1/traces"
        }

        for name in ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"] {
            let headers = try env.keyValueList(name)
            for key in headers.keys where !OTLPHTTPExporterConfiguration.isToken(key) {
                throw ChoreoTracerError.invalidConfiguration("\(name): '\(key)' is not a valid HTTP header name")
            }
            config.headers.merge(headers) { _, later in later }
        }

        if let protocolName = env.traces("PROTOCOL"), protocolName != "http/protobuf" {
            throw ChoreoTracerError.invalidConfiguration(
                "\(env.tracesName("PROTOCOL")) '\(protocolName)' is not supported; this tracer sends http/protobuf"
            )
        }
        if let compression = env.traces("COMPRESSION") {
            guard let value = OTLPCompression(rawValue: compression.lowercased()) else {
                throw ChoreoTracerError.invalidConfiguration(
                    "\(env.tracesName("COMPRESSION")) '\(compression)' is not supported; use 'gzip' or 'none'"
                )
            }
            config.compression = value
        }
        config.certificateFile = env.traces("CERTIFICATE")
        config.clientCertificateFile = env.traces("CLIENT_CERTIFICATE")
        config.clientKeyFile = env.traces("CLIENT_KEY")
        if let timeout = try env.milliseconds(env.tracesName("TIMEOUT")) { config.exportTimeout = timeout }
        if let timeout = try env.milliseconds("OTEL_BSP_EXPORT_TIMEOUT") {
            config.exportTimeout = env.traces("TIMEOUT") == nil ? timeout : min(config.exportTimeout, timeout)
        }
        if let disabled = env["OTEL_SDK_DISABLED"] {
            switch disabled.lowercased() {
            case "true": config.sdkDisabled = true
            case "false": config.sdkDisabled = false
            default:
                throw ChoreoTracerError.invalidConfiguration("OTEL_SDK_DISABLED must be 'true' or 'false' (got '\(disabled)')")
            }
        }
        if let name = env["OTEL_TRACES_SAMPLER"] {
            config.sampler = try SamplerSelection(name: name, argument: env["OTEL_TRACES_SAMPLER_ARG"])
        }
        if let list = env["OTEL_PROPAGATORS"] { config.propagators = try Propagators(list: list) }
        if let delay = try env.milliseconds("OTEL_BSP_SCHEDULE_DELAY") { config.scheduleDelay = delay }
        if let size = try env.integer("OTEL_BSP_MAX_QUEUE_SIZE") { config.maxQueueSize = size }
        if let size = try env.integer("OTEL_BSP_MAX_EXPORT_BATCH_SIZE") {
            guard size <= config.maxQueueSize else {
                throw ChoreoTracerError.invalidConfiguration(
                    "OTEL_BSP_MAX_EXPORT_BATCH_SIZE \(size) exceeds the queue size \(config.maxQueueSize) (OTEL_BSP_MAX_QUEUE_SIZE)"
                )
            }
            config.maxExportBatchSize = size
        }

        if let timeout = try env.milliseconds("CHOREO_TRACER_SHUTDOWN_TIMEOUT") { config.shutdownTimeout = timeout }
        if let unsent = try env.integer("CHOREO_TRACER_MAX_UNSENT_SPANS") { config.maxUnsentSpans = unsent }

        try config.validate()
        return config
    }
}
