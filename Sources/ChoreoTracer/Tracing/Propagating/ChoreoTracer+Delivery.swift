import ChoreoModel
import ChoreoTracingBridge
import Tracing

extension ChoreoTracer: DeliverySpanTracer {
    /// Starts a delivery's consumer span from its `traceparent` and `tracestate` values: the span
    /// that extracting them into `.topLevel`, starting from that context (or from `.topLevel` when
    /// not `childOfProducer`) and linking the extracted context would give, without the extracted
    /// `ServiceContext`. Nil when the propagators do not read W3C Trace Context.
    public func startDeliverySpan(
        _ name: String, traceparent: String?, tracestate: String?, childOfProducer: Bool
    ) -> (any AttributeRecordingSpan)? {
        guard core.propagators.contains(.traceContext) else { return nil }
        let remote = traceparent.flatMap { Self.remoteContext(traceparent: $0, tracestate: tracestate) }
        let span = start(name, in: .topLevel, parent: childOfProducer ? remote : nil, parentForm: nil, kind: .consumer, at: DefaultTracerClock.now)
        if let remote { span.addLink(to: remote) }
        return span
    }

    /// `instrument` as a ChoreoTracer, nil when it is another type.
    public static func messagingTracer(from instrument: any Instrument) -> (any DeliverySpanTracer)? {
        instrument as? ChoreoTracer
    }

    /// Starts a publish's producer span: what `startSpan(name, context: context, ofKind:
    /// .producer)` starts.
    public func startPublishSpan(_ name: String, context: ServiceContext) -> any AttributeRecordingSpan {
        startSpan(name, context: context, ofKind: .producer)
    }

    /// Writes `span`'s `traceparent` (and `tracestate` when it has one) and, when its context
    /// carries any, the `baggage`, as the propagators select: what ``inject(_:into:using:)`` writes
    /// from `span.context`, read from the span itself. A span of another tracer goes through
    /// `inject`.
    public func injectContext(of span: any AttributeRecordingSpan, into headers: inout [String: String]) {
        guard let span = span as? ChoreoSpan else {
            inject(span.context, into: &headers, using: HeaderDictionaryInjector())
            return
        }
        // The span's own context holds its span context; baggage, if any, is another entry.
        write(
            spanContext: span.spanContext, baggage: span.context.count > 1 ? span.context[W3CBaggageKey.self] : nil,
            into: &headers, using: HeaderDictionaryInjector())
    }
}

/// Writes each value under its name: the tracer's header names are lower-case already.
private struct HeaderDictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}
