import AsyncHTTPClient
import ChoreoModel
import ChoreoOTLP
import Logging
import NIOSSL
import Synchronization
import Tracing

/// Exports spans as OTLP/HTTP protobuf: `POST <endpoint>` with `application/x-protobuf`,
/// optionally gzip-compressed.
///
/// Retries 429, 502, 503, 504 and connection failures with exponential backoff and jitter,
/// honouring `Retry-After`, a bounded number of times, sleeping on the injected clock. Any
/// other status (400, 413, …) is final. The exporter never traces itself: its HTTP client has
/// no tracer, and every request runs with an empty `ServiceContext`.
/// Owns its `HTTPClient`: call ``shutdown()`` once done (``BatchSpanProcessor`` does).
public final class OTLPHTTPExporter<C: Clock>: SpanExporter, Sendable where C.Duration == Duration {
    /// What happened to requests so far.
    public struct Counters: Hashable, Sendable {
        /// HTTP requests sent (retries included).
        public var requests = 0
        /// Retries scheduled after a retryable failure.
        public var retries = 0
        /// Batches refused for good by the receiver (400 and other final statuses).
        public var rejectedBatches = 0
        /// Batches given up after the last retry.
        public var exhaustedBatches = 0
        /// Batches delivered.
        public var deliveredBatches = 0
    }

    let configuration: OTLPHTTPExporterConfiguration
    let client: HTTPClient
    let clock: C
    let logger: Logger
    let state: Mutex<(counters: Counters, random: Xoshiro256StarStar, isShutDown: Bool)>

    /// An exporter sending to `configuration.tracesEndpoint`, sleeping between retries on `clock`.
    ///
    /// The configuration must be valid (see ``OTLPHTTPExporterConfiguration/validate()``).
    public init(
        configuration: OTLPHTTPExporterConfiguration,
        clock: C,
        logger: Logger = Logger(label: "choreo.tracer.otlp-http-exporter")
    ) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.tracing.tracer = nil
        httpConfiguration.redirectConfiguration = .disallow
        // Connection failures surface at once and go through this exporter's own retry policy
        // (backoff on the injected clock) instead of a second, hidden retry loop in the client.
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        httpConfiguration.timeout.connect = .nanoseconds(configuration.timeoutNanoseconds)
        do {
            httpConfiguration.tlsConfiguration = try configuration.makeTLSConfiguration()
        } catch {
            // validate() read these files at start-up; one that went bad since fails closed: no
            // server is trusted, so spans are not sent to a server the files would not vouch for.
            logger.error("cannot use the TLS files of the OTLP exporter; https exports will fail", metadata: ["error": "\(error)"])
            var trustNone = TLSConfiguration.makeClientConfiguration()
            trustNone.trustRoots = .certificates([])
            httpConfiguration.tlsConfiguration = trustNone
        }
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
        var system = SystemRandomNumberGenerator()
        state = Mutex((Counters(), Xoshiro256StarStar(seedingFrom: &system), false))
    }

    /// Requests, retries and outcomes so far.
    public var counters: Counters { state.withLock { $0.counters } }

    /// Encodes and sends one batch, retrying as the policy allows.
    ///
    /// - Throws: ``ChoreoTracerError`` with `export_rejected`, `export_retries_exhausted`,
    ///   `encoding_failed` or `shut_down`; `CancellationError` when cancelled while waiting to retry.
    public func export(_ batch: [any ReadableSpan]) async throws {
        guard !batch.isEmpty else { return }
        guard !state.withLock({ $0.isShutDown }) else {
            throw ChoreoTracerError(code: .shutDown, message: "the exporter was shut down; \(batch.count) spans not sent")
        }
        let body: [UInt8]
        do {
            let encoded = try OTLPProtobuf.encodeRequest(batch.records)
            body = configuration.compression == .gzip ? Gzip.compress(encoded) : encoded
        } catch {
            throw ChoreoTracerError(code: .encodingFailed, message: "could not encode \(batch.count) spans: \(error)")
        }
        try await ServiceContext.withValue(.topLevel) {
            try await self.send(body, spanCount: batch.count)
        }
    }

    /// Shuts the HTTP client down; later exports fail. Safe to call more than once.
    public func shutdown() async {
        let first = state.withLock { state in
            defer { state.isShutDown = true }
            return !state.isShutDown
        }
        guard first else { return }
        do {
            try await client.shutdown()
        } catch {
            logger.debug("HTTP client shutdown failed", metadata: ["error": "\(error)"])
        }
    }

    private func send(_ body: [UInt8], spanCount: Int) async throws {
        var retry = 0
        while true {
            let outcome = try await attempt(body)
            switch outcome {
            case .delivered:
                state.withLock { $0.counters.deliveredBatches += 1 }
                return
            case .rejected(let status):
                state.withLock { $0.counters.rejectedBatches += 1 }
                logger.error(
                    "OTLP receiver rejected a batch; it is dropped",
                    metadata: ["status": "\(status)", "spans": "\(spanCount)", "endpoint": "\(configuration.tracesEndpoint)"]
                )
                throw ChoreoTracerError(
                    code: .exportRejected,
                    message: "\(configuration.tracesEndpoint) answered \(status) to a batch of \(spanCount) spans; not retried",
                    httpStatus: status
                )
            case .retryable(let reason, let status, let retryAfter):
                guard retry < configuration.retry.maxRetries else {
                    state.withLock { $0.counters.exhaustedBatches += 1 }
                    throw ChoreoTracerError(
                        code: .exportRetriesExhausted,
                        message: "\(configuration.tracesEndpoint) still failing after \(retry) retries (\(reason)); "
                            + "check that the agent or collector is running",
                        httpStatus: status
                    )
                }
                retry += 1
                let delay = state.withLock { state in
                    state.counters.retries += 1
                    let unit = state.random.nextFraction()
                    return configuration.retry.delay(beforeRetry: retry, retryAfter: retryAfter, unitRandom: unit)
                }
                logger.debug("Retrying OTLP export", metadata: ["reason": "\(reason)", "retry": "\(retry)", "delay": "\(delay)"])
                try await clock.sleep(until: clock.now.advanced(by: delay), tolerance: nil)
            }
        }
    }
}

extension OTLPHTTPExporter where C == ContinuousClock {
    /// An exporter that sleeps between retries on the continuous clock.
    public convenience init(
        configuration: OTLPHTTPExporterConfiguration,
        logger: Logger = Logger(label: "choreo.tracer.otlp-http-exporter")
    ) {
        self.init(configuration: configuration, clock: ContinuousClock(), logger: logger)
    }
}
