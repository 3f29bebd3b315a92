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

/// The `ServiceContext` key under which ``ChoreoTracer`` stores the current span's context.
public enum ChoreoSpanContextKey: ServiceContextKey {
    /// The stored value: the span context.
    public typealias Value = ChoreoSpanContext
    /// The key's name in debug output.
    public static var nameOverride: String? { "choreo-span-context" }
}

extension ServiceContext {
    /// The context of the current span started by ``ChoreoTracer``, or extracted by it.
    public var choreoSpanContext: ChoreoSpanContext? {
        get { self[ChoreoSpanContextKey.self] }
        set { self[ChoreoSpanContextKey.self] = newValue }
    }
}
