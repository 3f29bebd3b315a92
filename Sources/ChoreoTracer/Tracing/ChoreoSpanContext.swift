import ChoreoModel
import Tracing

/// The identity of a span as it travels in a `ServiceContext` and across processes.
///
/// A context extracted from a `traceparent` header is *remote*: its ``spanID`` is the remote
/// parent's id. A context set by ``ChoreoTracer`` when it starts a span is local.
public struct ChoreoSpanContext: Hashable, Sendable {
    /// The trace every span of this context belongs to.
    public var traceID: TraceID
    /// The span this context identifies (the parent of any span started from it).
    public var spanID: SpanID
    /// W3C trace flags; bit 0 is `sampled`.
    public var traceFlags: UInt8
    /// The W3C `tracestate` header value, carried unchanged; `nil` when absent or dropped.
    public var traceState: String?
    /// True when the context was extracted from a carrier rather than created in this process.
    public var isRemote: Bool

    /// A span context; `traceFlags` defaults to sampled.
    public init(
        traceID: TraceID, spanID: SpanID, traceFlags: UInt8 = 0x01, traceState: String? = nil, isRemote: Bool = false
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.traceFlags = traceFlags
        self.traceState = traceState
        self.isRemote = isRemote
    }

    /// True when the `sampled` flag is set.
    public var isSampled: Bool { traceFlags & 0x01 != 0 }

    /// The `traceparent` header for this context.
    public var traceParent: TraceParent {
        TraceParent(traceID: traceID, spanID: spanID, flags: traceFlags)
    }
}

/// The `ServiceContext` key under which ``ChoreoTracer`` stores a span context that is not
/// the common case of ``CompactSpanContextKey`` (remote, not sampled, or with a trace state).
///
/// Read the current span context through ``ServiceContext/choreoSpanContext``, which looks
/// under both keys.
public enum ChoreoSpanContextKey: ServiceContextKey {
    /// The stored value: the span context.
    public typealias Value = ChoreoSpanContext
    /// The key's name in debug output.
    public static var nameOverride: String? { "choreo-span-context" }
}

/// A local, sampled span context without a trace state: the trace and span ids alone.
///
/// 24 bytes, so a `ServiceContext` (whose values are `any Sendable`) holds it inline; the full
/// ``ChoreoSpanContext`` is larger and would cost a heap box for every span started.
struct CompactSpanContext: Sendable {
    var traceHigh: UInt64
    var traceLow: UInt64
    var spanID: UInt64
}

/// The key of ``CompactSpanContext``, the form ``ChoreoTracer`` stores most span contexts in.
enum CompactSpanContextKey: ServiceContextKey {
    typealias Value = CompactSpanContext
    static var nameOverride: String? { "choreo-span-context" }
}

extension ServiceContext {
    /// The context of the current span started by ``ChoreoTracer``, or extracted by it.
    ///
    /// A local, sampled context without a trace state is stored compactly (no heap box);
    /// any other under ``ChoreoSpanContextKey``. Setting one form removes the other.
    public var choreoSpanContext: ChoreoSpanContext? {
        get { storedChoreoSpanContext?.value }
        set { storeChoreoSpanContext(newValue, replacing: nil) }
    }

    /// How a span context is stored: compactly or in full (see ``ServiceContext/choreoSpanContext``).
    enum SpanContextForm { case compact, full }

    /// The span context and the form it is stored in.
    var storedChoreoSpanContext: (value: ChoreoSpanContext, form: SpanContextForm)? {
        if let compact = self[CompactSpanContextKey.self] {
            let value = ChoreoSpanContext(
                traceID: TraceID(high: compact.traceHigh, low: compact.traceLow), spanID: SpanID(compact.spanID)
            )
            return (value, .compact)
        }
        return self[ChoreoSpanContextKey.self].map { ($0, .full) }
    }

    /// Stores `value` (or removes the span context, for nil) in its form, removing the other
    /// form. `previous` is the form the context is known to hold now, if known: a form known to
    /// be absent is not looked up again.
    mutating func storeChoreoSpanContext(_ value: ChoreoSpanContext?, replacing previous: SpanContextForm??) {
        if let value, value.traceFlags == 0x01, value.traceState == nil, !value.isRemote {
            self[CompactSpanContextKey.self] = CompactSpanContext(
                traceHigh: value.traceID.high, traceLow: value.traceID.low, spanID: value.spanID.value
            )
            if previous == nil || previous == .some(.full) { self[ChoreoSpanContextKey.self] = nil }
        } else {
            self[ChoreoSpanContextKey.self] = value
            if previous == nil || previous == .some(.compact) { self[CompactSpanContextKey.self] = nil }
        }
    }
}
