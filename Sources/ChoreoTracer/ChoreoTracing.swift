import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Tracing

/// Entry points for executables: build the tracer and its export pipeline from a configuration.
public enum ChoreoTracing {
    private static let bootstrapped = Mutex(false)

    /// The tracer and the service that exports its spans, for an executable's `ServiceGroup`.
    ///
    /// Put `service` in the group (ideally first: a `ServiceGroup` shuts services down in
    /// reverse order, so it then stops after the services that produce spans and flushes what
    /// they ended); bootstrap `tracer` yourself with `InstrumentationSystem.bootstrap(_:)` if it
    /// should be the process-wide tracer. Always run `service`: it owns the HTTP client, which
    /// it shuts down when it stops.
    ///
    /// With `exportLogPath` (by default the value of `CHOREO_TRACER_EXPORT_LOG`, if set and
    /// not empty), the id of every span the endpoint acknowledged is appended to that file; see
    /// ``ExportLog``.
    ///
    /// - Throws: ``ChoreoTracerError`` (`invalid_configuration`) for an invalid configuration,
    ///   or an export log that cannot be opened.
    public static func make(
        configuration: ChoreoTracerConfiguration,
        exportLogPath: String? = ProcessInfo.processInfo.environment[ExportLog.environmentVariable],
        logger: Logger = Logger(label: "choreo.tracer")
    ) throws -> (tracer: ChoreoTracer, service: BatchSpanProcessor<ContinuousClock>) {
        try configuration.validate()
        var exporter: any SpanExporter = OTLPHTTPExporter(configuration: configuration.exporter, logger: logger)
        if let path = exportLogPath, !path.isEmpty {
            exporter = try ExportLog(wrapping: exporter, path: path)
        }
        let processor = BatchSpanProcessor(exporter: exporter, configuration: configuration.batch, logger: logger)
        let tracer = configuration.tracer(processor: processor)
        return (tracer, processor)
    }

    /// Runs `body` with a tracer exporting to the configured endpoint, then flushes and stops.
    ///
    /// `body` sees this call's tracer through the task-local `withTracer`, so
    /// `InstrumentationSystem.tracer` inside it is this tracer. With `bootstrapInstrumentationSystem`
    /// (the default) the first call in a process also bootstraps `InstrumentationSystem` with it,
    /// for code outside `body`; later calls leave the global tracer alone. Do not bootstrap
    /// `InstrumentationSystem` elsewhere in the same process. The export service runs
    /// concurrently; when `body` returns or throws, every span it ended is exported (or has
    /// failed for good) before this returns — or, when the endpoint stays unreachable, once
    /// ``ChoreoTracerConfiguration/shutdownTimeout`` has passed (the spans not exported are
    /// counted and logged).
    ///
    /// With `inFrontOfExport`, the tracer hands its finished spans to the processor that
    /// returns (given the export pipeline to pass them on to) instead: to change spans before
    /// they are exported.
    ///
    /// - Throws: ``ChoreoTracerError`` for an invalid configuration, or what `body` throws.
    public static func withTracing<T>(
        configuration: ChoreoTracerConfiguration,
        bootstrapInstrumentationSystem: Bool = true,
        logger: Logger = Logger(label: "choreo.tracer"),
        inFrontOfExport: ((any SpanProcessor) -> any SpanProcessor)? = nil,
        _ body: () async throws -> T
    ) async throws -> T {
        let (made, processor) = try make(configuration: configuration, logger: logger)
        let tracer =
            inFrontOfExport.map { configuration.tracer(processor: $0(processor)) } ?? made
        if bootstrapInstrumentationSystem { bootstrapOnce(tracer) }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            let result: Result<T, any Error>
            do {
                result = .success(try await withTracer(tracer) { try await body() })
            } catch {
                result = .failure(error)
            }
            processor.shutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }

    /// Bootstraps the global instrumentation with `tracer` unless this module already did.
    static func bootstrapOnce(_ tracer: ChoreoTracer) {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        if first { InstrumentationSystem.bootstrap(tracer) }
    }
}
