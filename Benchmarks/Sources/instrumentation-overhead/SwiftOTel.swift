import Logging
import OTel
import Tracing

/// swift-otel's tracer, as its own `OTel.makeTracingBackend` builds it: W3C propagation,
/// parent-based always-on sampling, its batch span processor, and no exporter (`.none`: batches
/// are dropped, like ChoreoTracer's discarding exporter). Metrics and logs are off.
enum SwiftOTel {
    /// The tracer and the service that runs its batch processor (run it while the tracer is used).
    static func make(maxQueueSize: Int) throws -> (tracer: any Tracer, run: @Sendable () async throws -> Void) {
        var configuration = OTel.Configuration.default
        configuration.serviceName = "bench"
        configuration.traces.exporter = .none
        configuration.traces.batchSpanProcessor.maxQueueSize = maxQueueSize
        configuration.traces.batchSpanProcessor.maxExportBatchSize = 512
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.diagnosticLogLevel = .error
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
        return (tracer, { try await service.run() })
    }
}
