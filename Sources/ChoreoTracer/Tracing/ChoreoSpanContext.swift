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
/// one of the common, compact cases (see ``ServiceContext/choreoSpanContext``): one that is not
/// sampled or carries a trace state.
///
/// Read the current span context through ``ServiceContext/choreoSpanContext``, which looks
/// under every key.
public enum ChoreoSpanContextKey: ServiceContextKey {
    /// The stored value: the span context.
    public typealias Value = ChoreoSpanContext
    /// The key's name in debug output.
    public static var nameOverride: String? { "choreo-span-context" }
}

/// A sampled span context without a trace state: the trace and span ids alone.
///
/// 24 bytes, so a `ServiceContext` (whose values are `any Sendable`) holds it inline; the full
/// ``ChoreoSpanContext`` is larger and would cost a heap box for every span started and every
/// context extracted. Whether it is remote is told by its key.
struct CompactSpanContext: Sendable {
    var traceHigh: UInt64
    var traceLow: UInt64
    var spanID: UInt64

    init(_ context: ChoreoSpanContext) {
        traceHigh = context.traceID.high
        traceLow = context.traceID.low
        spanID = context.spanID.value
    }

    func spanContext(isRemote: Bool) -> ChoreoSpanContext {
        ChoreoSpanContext(traceID: TraceID(high: traceHigh, low: traceLow), spanID: SpanID(spanID), isRemote: isRemote)
    }
}

/// The key of a local ``CompactSpanContext``: the form ``ChoreoTracer`` stores its spans' contexts in.
enum CompactSpanContextKey: ServiceContextKey {
    typealias Value = CompactSpanContext
    static var nameOverride: String? { "choreo-span-context" }
}

/// The key of a remote ``CompactSpanContext``: a sampled `traceparent` without `tracestate`, extracted.
enum RemoteCompactSpanContextKey: ServiceContextKey {
    typealias Value = CompactSpanContext
    static var nameOverride: String? { "choreo-span-context" }
}

extension ServiceContext {
    /// The context of the current span started by ``ChoreoTracer``, or extracted by it.
    ///
    /// A sampled context without a trace state is stored compactly (no heap box), under one key
    /// for local and one for remote contexts; any other under ``ChoreoSpanContextKey``. Setting
    /// one form removes the others.
    public var choreoSpanContext: ChoreoSpanContext? {
        get { storedChoreoSpanContext?.value }
        set { storeChoreoSpanContext(newValue, replacing: nil) }
    }

    /// How a span context is stored (see ``ServiceContext/choreoSpanContext``).
    enum SpanContextForm { case compact, remoteCompact, full }

    /// The span context and the form it is stored in.
    var storedChoreoSpanContext: (value: ChoreoSpanContext, form: SpanContextForm)? {
        if let compact = self[CompactSpanContextKey.self] { return (compact.spanContext(isRemote: false), .compact) }
        if let remote = self[RemoteCompactSpanContextKey.self] { return (remote.spanContext(isRemote: true), .remoteCompact) }
        return self[ChoreoSpanContextKey.self].map { ($0, .full) }
    }

    /// Stores `value` (or removes the span context, for nil) in its form and removes the other
    /// forms. `previous` is the form the context is known to hold now, if known (`.some(nil)`:
    /// none): then only that form is removed, and nothing is looked up in vain.
    mutating func storeChoreoSpanContext(_ value: ChoreoSpanContext?, replacing previous: SpanContextForm??) {
        let form: SpanContextForm?
        if let value {
            if value.traceFlags == 0x01 && value.traceState == nil {
                form = value.isRemote ? .remoteCompact : .compact
            } else {
                form = .full
            }
        } else {
            form = nil
        }
        switch form {
        case .compact: self[CompactSpanContextKey.self] = value.map(CompactSpanContext.init)
        case .remoteCompact: self[RemoteCompactSpanContextKey.self] = value.map(CompactSpanContext.init)
        case .full: self[ChoreoSpanContextKey.self] = value
        case nil: break
        }
        switch previous {
        case .none:
            for old in [SpanContextForm.compact, .remoteCompact, .full] where old != form { remove(old) }
        case .some(.none):
            break
        case .some(.some(let old)):
            if old != form { remove(old, known: true) }
        }
    }

    /// Removes the span context stored in `form`. Unless it is `known` to be there, it is looked
    /// up first, so that a context without it is not copied for nothing.
    private mutating func remove(_ form: SpanContextForm, known: Bool = false) {
        switch form {
        case .compact:
            if known || self[CompactSpanContextKey.self] != nil { self[CompactSpanContextKey.self] = nil }
        case .remoteCompact:
            if known || self[RemoteCompactSpanContextKey.self] != nil { self[RemoteCompactSpanContextKey.self] = nil }
        case .full:
            if known || self[ChoreoSpanContextKey.self] != nil { self[ChoreoSpanContextKey.self] = nil }
        }
    }
}
