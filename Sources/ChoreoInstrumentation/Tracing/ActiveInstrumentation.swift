import ChoreoModel
import ChoreoTracingBridge
import Synchronization
import Tracing

/// The instrument and tracer in effect for one publish or one delivery, looked up once.
///
/// `InstrumentationSystem.tracer` searches the active instrument with two dynamic casts on
/// every call; a publish or a delivery needs it and the instrument once each, so this reads the
/// instrument once and casts it once, and holds it once: a tracer is its own instrument. When
/// nothing is bootstrapped or scoped (swift-distributed-tracing's `NoOpInstrument`, or a
/// `NoOpTracer`), it is ``inactive``: `TracedBus` then fills the message headers and binds the
/// ``MessageContext`` but starts no span and propagates nothing.
enum ActiveInstrumentation {
    /// No instrument in effect: no span, no propagation.
    case inactive
    /// A tracer that starts the messaging spans itself (ChoreoTracer's): instrument and tracer.
    case messagingTracer(any DeliverySpanTracer)
    /// Any other tracer: instrument and tracer.
    case tracer(any Tracer)
    /// An instrument that is no tracer (one that only propagates), with the system's tracer.
    case instrument(any Instrument, tracer: any Tracer)

    /// The instrumentation in effect for the current task.
    static var current: ActiveInstrumentation {
        let instrument = InstrumentationSystem.instrument
        // The two no-op types are told by their metatype: no dynamic cast on every message.
        let type = ObjectIdentifier(Swift.type(of: instrument))
        if type == ObjectIdentifier(NoOpInstrument.self) || type == ObjectIdentifier(NoOpTracer.self) {
            return .inactive
        }
        // The messaging tracer's type met before is recognised by its metatype and taken by a
        // cast to that concrete type: no protocol conformance looked up on every message.
        if let known = KnownMessagingTracer.first, known.type == type, let tracer = known.take(instrument) {
            return .messagingTracer(tracer)
        }
        // One cast finds both roles of a tracer that starts messaging spans itself.
        if let tracer = instrument as? any DeliverySpanTracer {
            KnownMessagingTracer.remember(tracer)
            return .messagingTracer(tracer)
        }
        if let tracer = instrument as? any Tracer { return .tracer(tracer) }
        return .instrument(instrument, tracer: InstrumentationSystem.tracer)
    }

    /// False when no instrument is in effect.
    var isActive: Bool {
        if case .inactive = self { return false }
        return true
    }

    /// The instrument that injects and extracts (a tracer is its own), nil when inactive.
    private var instrument: (any Instrument)? {
        switch self {
        case .inactive: nil
        case .messagingTracer(let tracer): tracer
        case .tracer(let tracer): tracer
        case .instrument(let instrument, _): instrument
        }
    }

    /// The tracer that starts spans, nil when inactive.
    private var tracer: (any Tracer)? {
        switch self {
        case .inactive: nil
        case .messagingTracer(let tracer): tracer
        case .tracer(let tracer), .instrument(_, let tracer): tracer
        }
    }

    /// Starts a publish's PRODUCER span `name`, a child of `parent`'s span if it has one.
    func startPublishSpan(_ name: String, parent: ServiceContext) -> MessagingSpan {
        if case .messagingTracer(let tracer) = self { return MessagingSpan(tracer.startPublishSpan(name, context: parent)) }
        return startSpan(name, parent: parent, kind: .producer)
    }

    /// Injects the context of `span` (a span this instrumentation started) into outgoing `headers`.
    func injectContext(of span: MessagingSpan, into headers: inout [String: String]) {
        if case .messagingTracer(let tracer) = self, let started = span.recordingSpan {
            tracer.injectContext(of: started, into: &headers)
            return
        }
        instrument?.inject(span.span.context, into: &headers, using: HeaderInjector())
    }

    /// Starts a delivery's CONSUMER span `name` from its header values, when the tracer starts
    /// messaging spans itself and takes them (see ``DeliverySpanTracer``); nil otherwise.
    func startDeliverySpan(
        _ name: String, traceparent: String?, tracestate: String?, childOfProducer: Bool
    ) -> MessagingSpan? {
        guard case .messagingTracer(let tracer) = self,
            let span = tracer.startDeliverySpan(name, traceparent: traceparent, tracestate: tracestate, childOfProducer: childOfProducer)
        else { return nil }
        return MessagingSpan(span)
    }

    /// Extracts a delivery's `headers` into `context`.
    func extract(_ headers: DeliveredHeaders, into context: inout ServiceContext) {
        instrument?.extract(headers, into: &context, using: DeliveredHeaderExtractor())
    }

    /// Starts a delivery's CONSUMER span `name` from `parent`.
    func startConsumerSpan(_ name: String, parent: ServiceContext) -> MessagingSpan {
        startSpan(name, parent: parent, kind: .consumer)
    }

    /// Starts span `name` of `kind` from `parent` through the tracer (a no-op span when inactive:
    /// callers check ``isActive`` first).
    private func startSpan(_ name: String, parent: ServiceContext, kind: Tracing.SpanKind) -> MessagingSpan {
        guard let tracer else { return MessagingSpan(NoOpTracer.NoOpSpan(context: parent)) }
        return MessagingSpan(tracer.startSpan(name, context: parent, ofKind: kind))
    }
}

/// The first ``DeliverySpanTracer`` type `TracedBus` met in this process (a process has one
/// tracer type, as a rule), and how to take an instrument of that type as one: by the type's
/// ``DeliverySpanTracer/messagingTracer(from:)``, a cast to the concrete type (a comparison of
/// metatypes), where a cast to the protocol looks its conformance up.
final class KnownMessagingTracer: Sendable {
    /// Set once, by the first instrument found to be a messaging tracer, and never released;
    /// read lock-free. (An `Atomic` of an unmanaged reference: `AtomicLazyReference.load` looks
    /// its generic metadata up at run time on each call.)
    private static let storage = Atomic<Unmanaged<KnownMessagingTracer>?>(nil)

    /// The type remembered, if any.
    static var first: KnownMessagingTracer? {
        storage.load(ordering: .acquiring)?.takeUnretainedValue()
    }

    let type: ObjectIdentifier
    let take: @Sendable (any Instrument) -> (any DeliverySpanTracer)?

    private init<Tracer: DeliverySpanTracer>(_: Tracer.Type) {
        type = ObjectIdentifier(Tracer.self)
        take = { instrument in Tracer.messagingTracer(from: instrument) }
    }

    /// Remembers `tracer`'s type, unless one was remembered before.
    static func remember(_ tracer: some DeliverySpanTracer) {
        guard first == nil else { return }
        let known = Unmanaged.passRetained(KnownMessagingTracer(Swift.type(of: tracer)))
        if !storage.compareExchange(expected: nil, desired: known, ordering: .acquiringAndReleasing).exchanged {
            known.release()
        }
    }
}

/// A messaging span with what records its attributes: the span itself, held as an
/// ``AttributeRecordingSpan`` when a ``DeliverySpanTracer`` started it (no cast per record),
/// else found by one cast when the attributes are recorded.
struct MessagingSpan {
    let span: any Span
    /// The span again, when a ``DeliverySpanTracer`` started it.
    let recordingSpan: (any AttributeRecordingSpan)?

    init(_ span: any AttributeRecordingSpan) {
        self.span = span
        recordingSpan = span
    }

    init(_ span: any Span) {
        self.span = span
        recordingSpan = nil
    }

    /// Adds `attributes` in one write (see ``Tracing/Span/recordAttributes(_:)``).
    func record(_ attributes: AttributeList) {
        if let recordingSpan {
            recordingSpan.record(attributes)
        } else {
            span.recordAttributes(attributes)
        }
    }
}

extension Span {
    /// Adds `attributes` in one write: handed over as the list they are to a span that takes one
    /// (`AttributeListRecorder`, e.g. ChoreoTracer's: no key hashed here), else through the tracing
    /// API's `attributes`, replaced when the span has none yet (the usual case), merged otherwise.
    func recordAttributes(_ attributes: AttributeList) {
        if let recorder = self as? any AttributeListRecorder {
            recorder.record(attributes)
            return
        }
        var converted = SpanAttributes()
        converted.set(contentsOf: attributes)
        let existing = self.attributes
        if existing.isEmpty {
            self.attributes = converted
        } else {
            var merged = existing
            merged.merge(converted)
            self.attributes = merged
        }
    }
}
