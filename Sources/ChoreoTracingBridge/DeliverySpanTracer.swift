import Tracing

/// A tracer that starts a delivery's CONSUMER span straight from the message's trace-context
/// header values: the seam that lets `TracedBus` skip building a `ServiceContext` for the
/// extracted context (a dictionary allocation and two keyed lookups per delivery) when the tracer
/// can take the values as they are.
///
/// `startDeliverySpan` must give the span that the general path gives: extracting the headers
/// into an empty context with the tracer's `extract`, starting the span from that context (in
/// `childOfProducer` mode) or from `.topLevel`, and, when a span context was extracted and the
/// span is recording, linking it to that context. `TracedBus` takes this path only for headers
/// whose only trace context is `traceparent` and `tracestate` under their exact names (no
/// `baggage`, no upper-case names); a tracer answers nil when it cannot give the same span (its
/// propagators do not read W3C Trace Context, say), and the general path runs instead.
public protocol DeliverySpanTracer: Tracer {
    /// Starts the consumer span `name` of a delivery whose headers hold `traceparent` and
    /// `tracestate` (nil when absent, as received otherwise), or returns nil (see the protocol).
    func startDeliverySpan(_ name: String, traceparent: String?, tracestate: String?, childOfProducer: Bool) -> Span?
}
