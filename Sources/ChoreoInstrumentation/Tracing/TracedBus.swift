import Tracing

/// How a consumer span relates to the producer span of the message it handles.
public enum ConsumerTraceMode: String, Sendable, Hashable, CaseIterable {
    /// The consumer span is a child of the producer span (and links to it): a flow is one trace.
    case childOfProducer = "child"
    /// The consumer span starts a new trace and only links to the producer span, for
    /// long-running flows. Flows are still joined by correlation id.
    case newTracePerStep = "new-trace"
}

/// Tracing middleware for any ``MessageBus``: a PRODUCER span per publish, a CONSUMER span
/// per handled delivery, trace context in the message headers, and the flow's correlation
/// id carried from every handled message to the messages its handler publishes.
///
/// Use one `TracedBus` per service; several may wrap the same bus. The instrument and tracer
/// are looked up once per publish and per delivery (`InstrumentationSystem.instrument`), never
/// stored, so a `withTracer` scope applies to the publishes and to the handlers of a bus run
/// inside it. With none in effect, a `TracedBus` only fills the headers and binds the
/// ``MessageContext``: no span, no attribute work, no propagation.
///
/// Spans follow the OpenTelemetry messaging conventions (`send {topic}`, `process {topic}`)
/// with the `choreo.*` attributes of docs/wire-conventions.md and `service.name` set to ``service``.
public struct TracedBus<Bus: MessageBus>: MessageBus {
    /// How a consumer span relates to the producer span of the message it handles (``ConsumerTraceMode``).
    public typealias TraceMode = ConsumerTraceMode

    /// The wrapped bus.
    public let bus: Bus
    /// The service publishing and consuming through this value (`source` header, `service.name`).
    public let service: String
    /// The `messaging.system` attribute, e.g. `choreo` or `postgresql`.
    public let system: String
    /// How consumer spans relate to producer spans.
    public let traceMode: TraceMode

    /// Wraps `bus` for `service`.
    public init(_ bus: Bus, service: String, system: String = "choreo", traceMode: TraceMode = .childOfProducer) {
        self.bus = bus
        self.service = service
        self.system = system
        self.traceMode = traceMode
    }
}
