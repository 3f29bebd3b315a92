import ChoreoModel
import ChoreoTracingBridge
import Synchronization
import Tracing

/// A span started by ``ChoreoTracer``: records its data while open and hands itself to the
/// tracer's span processor when it ends.
///
/// A reference type guarded by a lock, so every copy sees the same state and any thread may
/// record on it. After ``end(at:)`` the span ignores further changes; ending twice is harmless.
///
/// Attributes are kept as they are set: through the tracing API's `attributes` in its dictionary
/// (`SpanAttributes`), and through ``record(_:)`` (`TracedBus`) as an `AttributeList`, nothing
/// hashed. An ended span is handed to the span processor as it is (a ``ReadableSpan``), and
/// converted to the model's `SpanRecord`, where every key is hashed once, only when an exporter
/// asks for its ``record``.
public final class ChoreoSpan: Tracing.Span, ReadableSpan, AttributeListRecorder, Sendable {
    /// The span's own context: the parent's `ServiceContext` with this span's identity.
    public let context: ServiceContext
    /// This span's trace id, span id, flags and trace state.
    public let spanContext: ChoreoSpanContext
    /// The parent span's id, or `nil` for a root span.
    public let parentSpanID: SpanID?
    /// The span's kind.
    public let kind: ChoreoModel.SpanKind
    /// When the span started, in Unix nanoseconds.
    public let startTimeUnixNano: UInt64

    let core: TracerCore
    let state: Mutex<State>

    struct State {
        var operationName: String
        /// Attributes set through the tracing API (``ChoreoSpan/attributes``).
        var attributes: SpanAttributes = [:]
        /// Attributes recorded as a list (``ChoreoSpan/record(_:)``), applied after `attributes`:
        /// a key in both has the list's value.
        var recorded = AttributeList()
        var events: [ChoreoModel.SpanEvent] = []
        /// The first link, kept inline: a consumer span's one link to its producer costs no array.
        var firstLink: ChoreoModel.SpanLink?
        /// The links after the first.
        var laterLinks: [ChoreoModel.SpanLink] = []
        var statusCode: SpanStatusCode = .unset
        var statusMessage: String?
        var isEnded = false
        /// When the span ended, in Unix nanoseconds (never before its start); set by `end`.
        var endTimeUnixNano: UInt64 = 0
        /// True while a write through ``ChoreoSpan/attributes`` holds the attributes (see
        /// ``ChoreoSpan/takeAttributes()``).
        var attributesTaken = false
        /// True when the span ended while its attributes were taken: the write that holds them
        /// puts them back and then hands the span to the processor.
        var endAwaitsAttributes = false
    }

    init(
        operationName: String, context: ServiceContext, spanContext: ChoreoSpanContext, parentSpanID: SpanID?,
        kind: ChoreoModel.SpanKind, startTimeUnixNano: UInt64, core: TracerCore
    ) {
        self.context = context
        self.spanContext = spanContext
        self.parentSpanID = parentSpanID
        self.kind = kind
        self.startTimeUnixNano = startTimeUnixNano
        self.core = core
        self.state = Mutex(State(operationName: operationName))
    }

    /// The span's name; may be changed until the span ends.
    public var operationName: String {
        get { state.withLock { $0.operationName } }
        set { state.withLock { if !$0.isEnded { $0.operationName = newValue } } }
    }

    /// The span's attributes; may be changed until the span ends. Setting them replaces every
    /// attribute, those recorded with ``record(_:)`` included.
    ///
    /// A write in place (`span.attributes["key"] = value`) changes the span's own dictionary: it
    /// is taken out of the span for the write and put back after it, so the write neither copies
    /// it nor, for the first few keys, grows it. While it is out, the span reads as having none;
    /// a span ended during the write is handed to the processor once the attributes are back.
    public var attributes: SpanAttributes {
        // Not inlined into the protocol's `modify` witness: its coroutine frame then holds
        // little more than the value, fits the caller's buffer and is not allocated.
        @inline(never) get { state.withLock { $0.mergedAttributes } }
        @inline(never) set {
            state.withLock { state in
                guard !state.isEnded else { return }
                state.attributes = newValue
                state.recorded = AttributeList()
            }
        }
        _modify {
            var taken = takeAttributes()
            defer { putBack(taken) }
            yield &taken.attributes
        }
    }

    /// Attributes taken out of the span for a write in place, and how to put them back.
    struct TakenAttributes {
        var attributes: SpanAttributes
        /// True when they were moved out of the span (not copied: the span was ended, or another
        /// write held them already, and then the write is a whole replacement as `set` does).
        let moved: Bool
    }

    /// How many keys a span's first write in place makes room for.
    static let attributeRoom = 8

    /// Takes the attributes out of the span (the dictionary's, with the list's applied), leaving
    /// none, so the caller's write changes the only reference and does not copy them. An empty
    /// dictionary is made with room for ``attributeRoom`` keys.
    @inline(never) func takeAttributes() -> TakenAttributes {
        state.withLock { state in
            guard !state.isEnded, !state.attributesTaken else {
                return TakenAttributes(attributes: state.mergedAttributes, moved: false)
            }
            state.attributesTaken = true
            var attributes = state.mergedAttributes
            state.attributes = SpanAttributes()
            state.recorded = AttributeList()
            if attributes.isEmpty {
                attributes = SpanAttributes([String: SpanAttribute](minimumCapacity: Self.attributeRoom))
            }
            return TakenAttributes(attributes: attributes, moved: true)
        }
    }

    /// Puts back what ``takeAttributes()`` took, written; a list recorded meanwhile applies after
    /// it. Ends the span if it ended meanwhile.
    @inline(never) func putBack(_ taken: TakenAttributes) {
        guard taken.moved else {
            attributes = taken.attributes
            return
        }
        let endNow: Bool = state.withLock { state in
            state.attributesTaken = false
            // Anything set whole meanwhile is replaced, as the later of two whole writes would be.
            state.attributes = taken.attributes
            let endNow = state.endAwaitsAttributes
            state.endAwaitsAttributes = false
            return endNow
        }
        if endNow { handToProcessor() }
    }

    /// Adds `attributes` as they are, in order (a key set before gets the new value); nothing is
    /// hashed until the span is exported. Ignored after the span ended.
    public func record(_ attributes: AttributeList) {
        state.withLock { state in
            guard !state.isEnded else { return }
            state.recorded.append(contentsOf: attributes)
        }
    }

    /// True until the span ends.
    public var isRecording: Bool {
        state.withLock { !$0.isEnded }
    }

    /// Sets the status. `ok` is final, as OpenTelemetry specifies; a message is kept only for errors.
    public func setStatus(_ status: SpanStatus) {
        state.withLock { state in
            guard !state.isEnded, state.statusCode != .ok else { return }
            switch status.code {
            case .ok:
                state.statusCode = .ok
                state.statusMessage = nil
            case .error:
                state.statusCode = .error
                state.statusMessage = status.message
            }
        }
    }

    /// Adds an event with its timestamp and attributes.
    public func addEvent(_ event: Tracing.SpanEvent) {
        let converted = ChoreoModel.SpanEvent(
            name: event.name,
            timeUnixNano: event.nanosecondsSinceEpoch,
            attributes: event.attributes.choreoAttributes
        )
        state.withLock { if !$0.isEnded { $0.events.append(converted) } }
    }

    /// Records an error as an `exception` event (`exception.type`, `exception.message`).
    ///
    /// The status is left as the instrumentation sets it; `withSpan` sets `error` itself.
    public func recordError<Instant: TracerInstant>(
        _ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant
    ) {
        var eventAttributes = attributes.choreoAttributes
        eventAttributes["exception.type"] = .string(String(reflecting: type(of: error)))
        eventAttributes["exception.message"] = .string(String(describing: error))
        let event = ChoreoModel.SpanEvent(
            name: "exception", timeUnixNano: instant().nanosecondsSinceEpoch, attributes: eventAttributes
        )
        state.withLock { if !$0.isEnded { $0.events.append(event) } }
    }

    /// Links this span to another span's context; a context without a span is ignored.
    public func addLink(_ link: Tracing.SpanLink) {
        guard let target = link.context.choreoSpanContext else { return }
        add(ChoreoModel.SpanLink(traceID: target.traceID, spanID: target.spanID, attributes: link.attributes.choreoAttributes))
    }

    /// Links this span to `target`, without attributes (as `addLink` with its context would).
    func addLink(to target: ChoreoSpanContext) {
        add(ChoreoModel.SpanLink(traceID: target.traceID, spanID: target.spanID, attributes: [:]))
    }

    private func add(_ converted: ChoreoModel.SpanLink) {
        state.withLock { state in
            guard !state.isEnded else { return }
            if state.firstLink == nil {
                state.firstLink = converted
            } else {
                state.laterLinks.append(converted)
            }
        }
    }

    /// Ends the span at `instant` and, when it is sampled, hands it to the span processor
    /// (never blocks on I/O).
    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let endTime = max(instant().nanosecondsSinceEpoch, startTimeUnixNano)
        let first: Bool = state.withLock { state in
            guard !state.isEnded else { return false }
            state.isEnded = true
            state.endTimeUnixNano = endTime
            // A write in place holds the attributes: it hands the span over once they are back.
            if state.attributesTaken {
                state.endAwaitsAttributes = true
                return false
            }
            return true
        }
        if first { handToProcessor() }
    }

    /// Hands the ended span to the processor when it is sampled.
    private func handToProcessor() {
        guard spanContext.isSampled else { return }
        core.processor.onEnd(self)
    }

    // MARK: ReadableSpan

    /// The trace id.
    public var traceID: TraceID { spanContext.traceID }
    /// The span id.
    public var spanID: SpanID { spanContext.spanID }
    /// The status set so far (final once the span ended).
    public var statusCode: SpanStatusCode { state.withLock { $0.statusCode } }

    /// A string attribute as the record will hold it.
    public func stringAttribute(_ key: String) -> String? {
        state.withLock { state in
            if let recorded = state.recorded.value(forKey: key) { return recorded.stringValue }
            guard let value = state.attributes.get(key), case .string(let string)? = AttributeValue(value) else { return nil }
            return string
        }
    }

    /// The span as the model's record: its state when it ended (converted on each call).
    public var record: SpanRecord {
        makeRecord(from: state.withLock { $0 })
    }
}
