import ChoreoModel
import Tracing

/// A span that takes a whole ``AttributeList`` in one write (``AttributeListRecorder``), as the
/// messaging spans `TracedBus` starts through a ``DeliverySpanTracer`` are: held as this
/// existential, recording needs no dynamic cast.
public typealias AttributeRecordingSpan = Tracing.Span & AttributeListRecorder

/// A tracer that starts `TracedBus`'s messaging spans itself: a delivery's CONSUMER span straight
/// from the message's trace-context header values, and a publish's PRODUCER span, both handed
/// back as spans that record an ``AttributeList`` as it is.
///
/// The seam lets `TracedBus` skip building a `ServiceContext` for the extracted context (a
/// dictionary allocation and two keyed lookups per delivery) when the tracer can take the values
/// as they are, and skip the per-span dynamic cast to ``AttributeListRecorder``.
///
/// `startDeliverySpan` must give the span that the general path gives: extracting the headers
/// into an empty context with the tracer's `extract`, starting the span from that context (in
/// `childOfProducer` mode) or from `.topLevel`, and, when a span context was extracted and the
/// span is recording, linking it to that context. `TracedBus` takes this path only for headers
/// whose only trace context is `traceparent` and `tracestate` under their exact names (no
/// `baggage`, no upper-case names); a tracer answers nil when it cannot give the same span (its
/// propagators do not read W3C Trace Context, say), and the general path runs instead.
///
/// `startPublishSpan` must give the span `startSpan(name, context: context, ofKind: .producer)`
/// gives, and `injectContext` write the headers `inject` writes.
public protocol DeliverySpanTracer: Tracer {
    /// Starts the consumer span `name` of a delivery whose headers hold `traceparent` and
    /// `tracestate` (nil when absent, as received otherwise), or returns nil (see the protocol).
    func startDeliverySpan(_ name: String, traceparent: String?, tracestate: String?, childOfProducer: Bool) -> (any AttributeRecordingSpan)?

    /// Starts the producer span `name` of a publish, a child of `context`'s span if it has one.
    func startPublishSpan(_ name: String, context: ServiceContext) -> any AttributeRecordingSpan

    /// Writes the trace context of `span`, a span this tracer started, into a message's
    /// `headers` (lower-case names): what `inject(span.context, into: &headers, using:)` writes
    /// with an injector that lower-cases names, without looking the span context up again.
    func injectContext(of span: any AttributeRecordingSpan, into headers: inout [String: String])

    /// `instrument` as this tracer type, nil when it is another type: `instrument as? Self`,
    /// written in the conforming type so that the cast is to the concrete type (a comparison of
    /// metatypes), where a cast to the protocol looks its conformance up on every call.
    static func messagingTracer(from instrument: any Instrument) -> (any DeliverySpanTracer)?
}
