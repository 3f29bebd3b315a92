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

    /// The instrumentation in effect for the current task.
    static var current: ActiveInstrumentation {
        let instrument = InstrumentationSystem.instrument
        if instrument is NoOpInstrument || instrument is NoOpTracer {
            return ActiveInstrumentation(instrument: instrument, tracer: NoOpTracer(), isActive: false)
        }
        if let tracer = instrument as? any Tracer {
            return ActiveInstrumentation(instrument: instrument, tracer: tracer, isActive: true)
        }
        return ActiveInstrumentation(instrument: instrument, tracer: InstrumentationSystem.tracer, isActive: true)
    }
}

extension Span {
    /// Adds `attributes` in one write: the span's attributes are replaced when it has none yet
    /// (the usual case right after the start), merged otherwise.
    func record(_ attributes: [String: SpanAttribute]) {
        let existing = self.attributes
        if existing.isEmpty {
            self.attributes = SpanAttributes(attributes)
        } else {
            var merged = existing
            merged.merge(SpanAttributes(attributes))
            self.attributes = merged
        }
    }
}
