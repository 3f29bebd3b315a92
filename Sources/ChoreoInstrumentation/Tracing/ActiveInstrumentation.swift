import ChoreoModel
import ChoreoTracingBridge
import Tracing

/// The instrument and tracer in effect for one publish or one delivery, looked up once.
///
/// `InstrumentationSystem.tracer` searches the active instrument with two dynamic casts on
/// every call; a publish or a delivery needs it and the instrument once each, so this reads the
/// instrument once and casts it once. When nothing is bootstrapped or scoped (swift-distributed-
/// tracing's `NoOpInstrument`, or a `NoOpTracer`), ``isActive`` is false: `TracedBus` then fills
/// the message headers and binds the ``MessageContext`` but starts no span and propagates nothing.
struct ActiveInstrumentation {
    /// The instrument that injects and extracts (possibly a `MultiplexInstrument`).
    let instrument: any Instrument
    /// The tracer that starts spans (`NoOpTracer` when the instrument holds none).
    let tracer: any Tracer
    /// False when no instrument is in effect: no span, no propagation.
    let isActive: Bool
    /// The tracer again when it starts delivery spans from header values (``DeliverySpanTracer``).
    var deliveryTracer: (any DeliverySpanTracer)? = nil

    /// The instrumentation in effect for the current task.
    static var current: ActiveInstrumentation {
        let instrument = InstrumentationSystem.instrument
        // The two no-op types are told by their metatype: no dynamic cast on every message.
        let type = ObjectIdentifier(Swift.type(of: instrument))
        if type == ObjectIdentifier(NoOpInstrument.self) || type == ObjectIdentifier(NoOpTracer.self) {
            return ActiveInstrumentation(instrument: instrument, tracer: NoOpTracer(), isActive: false)
        }
        // One cast finds both roles of a tracer that starts delivery spans itself (ChoreoTracer's).
        if let tracer = instrument as? any DeliverySpanTracer {
            return ActiveInstrumentation(instrument: instrument, tracer: tracer, isActive: true, deliveryTracer: tracer)
        }
        if let tracer = instrument as? any Tracer {
            return ActiveInstrumentation(instrument: instrument, tracer: tracer, isActive: true)
        }
        return ActiveInstrumentation(instrument: instrument, tracer: InstrumentationSystem.tracer, isActive: true)
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
