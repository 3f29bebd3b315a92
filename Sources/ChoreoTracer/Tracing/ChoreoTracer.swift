import ChoreoModel
import Tracing

/// A swift-distributed-tracing `Tracer` that records spans and hands each finished span (a
/// ``ReadableSpan``) to a ``SpanProcessor`` (normally a ``BatchSpanProcessor`` exporting OTLP/HTTP).
///
/// Propagation is W3C Trace Context (`traceparent`, `tracestate`) and W3C Baggage, as
/// ``Propagators`` select. By default every new trace is sampled and a child keeps its parent's
/// trace flags (`parentbased_always_on`); another ``Sampler`` may decide otherwise. Only sampled
/// spans reach the processor. Ending a span never waits for I/O.
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
    ///   - sampler: decides which spans are sampled; nil is `parentbased_always_on`.
    ///   - propagators: what ``extract(_:into:using:)`` and ``inject(_:into:using:)`` carry.
    public init(
        serviceName: String,
        resourceAttributes: [String: AttributeValue] = [:],
        scopeName: String? = ChoreoTracer.defaultScopeName,
        processor: any SpanProcessor,
        idGenerator: IDGenerator = IDGenerator(),
        sampler: (any Sampler)? = nil,
        propagators: Propagators = .default
    ) {
        core = TracerCore(
            serviceName: serviceName, resourceAttributes: resourceAttributes, scopeName: scopeName,
            processor: processor, idGenerator: idGenerator, sampler: sampler, propagators: propagators
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
        let parentContext = context()
        // An empty context (a root span from `.topLevel`) holds no span context in either form.
        let stored = parentContext.isEmpty ? nil : parentContext.storedChoreoSpanContext
        // A parent context holding its span context alone (a `traceparent` just extracted, as for
        // every delivery): the child's is made afresh instead of copied, written and pruned.
        let alone = stored != nil && parentContext.count == 1
        return start(
            operationName, in: alone ? .topLevel : parentContext, parent: stored?.value, parentForm: alone ? nil : stored?.form,
            kind: kind, at: instant())
    }

    /// Starts a span in `base` (the context it inherits; `parentForm` is the form its span
    /// context is stored in, nil when it holds none) as a child of `parent`, or of nothing.
    func start(
        _ operationName: String, in base: ServiceContext, parent: ChoreoSpanContext?, parentForm: ServiceContext.SpanContextForm?,
        kind: Tracing.SpanKind, at instant: some TracerInstant
    ) -> ChoreoSpan {
        var own: ChoreoSpanContext
        if let parent {
            own = ChoreoSpanContext(
                traceID: parent.traceID, spanID: core.idGenerator.nextSpanID(),
                traceFlags: parent.traceFlags, traceState: parent.traceState
            )
        } else {
            let (traceID, spanID) = core.idGenerator.nextRootIDs()
            own = ChoreoSpanContext(traceID: traceID, spanID: spanID, traceFlags: 0x01)
        }
        if let sampler = core.sampler {
            let input = SamplingInput(traceID: own.traceID, parent: parent, operationName: operationName, kind: ChoreoModel.SpanKind(kind))
            own.traceFlags = sampler.shouldSample(input) ? own.traceFlags | 0x01 : own.traceFlags & ~0x01
        }
        var context = base
        // The parent's form is known, so the other form is not looked up again.
        context.storeChoreoSpanContext(own, replacing: .some(parentForm))
        return ChoreoSpan(
            operationName: operationName,
            context: context,
            spanContext: own,
            parentSpanID: parent?.spanID,
            kind: ChoreoModel.SpanKind(kind),
            startTimeUnixNano: instant.nanosecondsSinceEpoch,
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
