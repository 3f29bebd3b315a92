import ChoreoModel
import Tracing

/// A swift-distributed-tracing `Tracer` that records spans and hands each finished span, as a
/// `SpanRecord`, to a ``SpanProcessor`` (normally a ``BatchSpanProcessor`` exporting OTLP/HTTP).
///
/// Propagation is W3C Trace Context (`traceparent`, `tracestate`). Every new trace is sampled;
/// a child keeps its parent's trace flags. Ending a span never waits for I/O.
public struct ChoreoTracer: Tracer, Sendable {
    /// The span type this tracer starts.
    public typealias Span = ChoreoSpan

    /// The instrumentation scope name recorded on every span unless another is given.
    public static let defaultScopeName = "ChoreoTracer"

    let core: TracerCore

    /// A tracer for `serviceName` that hands finished spans to `processor`.
    ///
    /// - Parameters:
    ///   - serviceName: the resource's `service.name`; a span's own `service.name` attribute overrides it.
    ///   - resourceAttributes: further resource attributes (without `service.name`).
    ///   - scopeName: the instrumentation scope recorded on each span.
    ///   - processor: receives each finished span.
    ///   - idGenerator: the source of trace and span ids; pass a seeded one in tests.
    public init(
        serviceName: String,
        resourceAttributes: [String: AttributeValue] = [:],
        scopeName: String? = ChoreoTracer.defaultScopeName,
        processor: any SpanProcessor,
        idGenerator: IDGenerator = IDGenerator()
    ) {
        core = TracerCore(
            serviceName: serviceName, resourceAttributes: resourceAttributes, scopeName: scopeName,
            processor: processor, idGenerator: idGenerator
        )
    }

    /// The default `service.name` of this tracer's spans.
    public var serviceName: String { core.serviceName }

    /// Starts a span, as a child of the span in `context` if it holds one, else as a new trace.
    public func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> ServiceContext,
        ofKind kind: Tracing.SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> ChoreoSpan {
        var spanContextValue = context()
        // An empty context (a root span from `.topLevel`) holds no span context in either form.
        let stored = spanContextValue.isEmpty ? nil : spanContextValue.storedChoreoSpanContext
        let parent = stored?.value
        let own: ChoreoSpanContext
        if let parent {
            own = ChoreoSpanContext(
                traceID: parent.traceID, spanID: core.idGenerator.nextSpanID(),
                traceFlags: parent.traceFlags, traceState: parent.traceState
            )
        } else {
            let (traceID, spanID) = core.idGenerator.nextRootIDs()
            own = ChoreoSpanContext(traceID: traceID, spanID: spanID, traceFlags: 0x01)
        }
        // The parent's form is known, so the other form is not looked up again.
        spanContextValue.storeChoreoSpanContext(own, replacing: .some(stored?.form))
        return ChoreoSpan(
            operationName: operationName,
            context: spanContextValue,
            spanContext: own,
            parentSpanID: parent?.spanID,
            kind: ChoreoModel.SpanKind(kind),
            startTimeUnixNano: instant().nanosecondsSinceEpoch,
            core: core
        )
    }

    /// Asks the processor to export what it holds, without waiting (the `Tracer` requirement).
    public func forceFlush() {
        core.processor.requestFlush()
    }

    /// Returns when every span ended before the call has been exported (or failed for good).
    public func flush() async {
        await core.processor.forceFlush()
    }
}
