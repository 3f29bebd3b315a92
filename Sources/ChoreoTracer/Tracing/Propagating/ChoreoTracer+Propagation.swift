import ChoreoModel
import Tracing

extension ChoreoTracer {
    /// Reads W3C `traceparent` and `tracestate` (and W3C `baggage`) from `carrier` into
    /// `context`, as the tracer's ``Propagators`` select.
    ///
    /// Strict, as the Trace Context specification requires: an invalid `traceparent` yields no
    /// parent (any span context already in `context` is removed) and its `tracestate` is dropped.
    /// Of a `tracestate`, only invalid, repeated or surplus members are dropped (``TraceState``).
    /// Nothing here can crash on input. Without a `traceparent`, the span context in `context`
    /// is left unchanged. A `baggage` header is kept as it came (up to 8192 bytes, the W3C
    /// Baggage limit) for ``inject(_:into:using:)`` to pass on.
    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {
        let propagators = core.propagators
        if propagators.contains(.traceContext) { extractTraceContext(carrier, into: &context, using: extractor) }
        if propagators.contains(.baggage), let baggage = extractor.extract(key: Self.baggageHeader, from: carrier),
            !baggage.isEmpty, baggage.utf8.count <= Self.maxBaggageBytes
        {
            context[W3CBaggageKey.self] = baggage
        }
    }

    private func extractTraceContext<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {
        guard let header = extractor.extract(key: MessageHeader.traceparent, from: carrier) else { return }
        guard let extracted = Self.remoteContext(traceparent: header, tracestate: extractor.extract(key: MessageHeader.tracestate, from: carrier)) else {
            context.choreoSpanContext = nil
            return
        }
        // Into an empty context (the usual `.topLevel`) there is no other form to remove.
        context.storeChoreoSpanContext(extracted, replacing: context.isEmpty ? .some(nil) : nil)
    }

    /// The remote span context of a `traceparent` and `tracestate` pair; nil when the
    /// `traceparent` is invalid (its `tracestate` is then dropped too).
    static func remoteContext(traceparent: String, tracestate: String?) -> ChoreoSpanContext? {
        guard let parent = TraceParent(traceparent) else { return nil }
        return ChoreoSpanContext(
            traceID: parent.traceID,
            spanID: parent.spanID,
            traceFlags: parent.flags,
            traceState: tracestate.map(TraceState.init).flatMap { $0.isEmpty ? nil : $0.headerValue },
            isRemote: true
        )
    }

    /// Writes the span context in `context` as W3C `traceparent` (and `tracestate` when present),
    /// and an extracted `baggage`, as the tracer's ``Propagators`` select.
    ///
    /// Writes no trace context when `context` holds no span context.
    public func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {
        write(
            spanContext: context.choreoSpanContext, baggage: context.isEmpty ? nil : context[W3CBaggageKey.self],
            into: &carrier, using: injector)
    }

    /// Writes `spanContext` as `traceparent` (and `tracestate` when it has one) and `baggage`, as
    /// the tracer's ``Propagators`` select: the one place that decides which headers a context
    /// gives (``inject(_:into:using:)``, ``injectContext(of:into:)``). Each is read only when its
    /// propagator is selected.
    func write<Carrier, Inject: Injector>(
        spanContext: @autoclosure () -> ChoreoSpanContext?, baggage: @autoclosure () -> String?,
        into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {
        let propagators = core.propagators
        if propagators.contains(.traceContext), let spanContext = spanContext() {
            injector.inject(spanContext.traceParentHeaderValue, forKey: MessageHeader.traceparent, into: &carrier)
            if let traceState = spanContext.traceState {
                injector.inject(traceState, forKey: MessageHeader.tracestate, into: &carrier)
            }
        }
        if propagators.contains(.baggage), let baggage = baggage() {
            injector.inject(baggage, forKey: Self.baggageHeader, into: &carrier)
        }
    }

    /// The W3C Baggage header.
    static let baggageHeader = "baggage"
    /// The most bytes of a `baggage` header passed on (W3C Baggage, "Limits").
    static let maxBaggageBytes = 8192
}

/// An extracted W3C `baggage` header, passed on unchanged.
public enum W3CBaggageKey: ServiceContextKey {
    public typealias Value = String
    public static let nameOverride: String? = "w3c-baggage"
}

extension ChoreoSpanContext {
    /// The `traceparent` header value (`00-<trace-id>-<parent-id>-<flags>`, lower-case hex), as
    /// ``TraceParent/headerValue`` writes it, but into one string allocation.
    package var traceParentHeaderValue: String {
        String(unsafeUninitializedCapacity: 55) { buffer in
            func put(_ value: UInt64, digits: Int, at start: Int) {
                var rest = value
                for index in stride(from: start + digits - 1, through: start, by: -1) {
                    let nibble = UInt8(truncatingIfNeeded: rest & 0xF)
                    buffer[index] = nibble < 10 ? nibble + UInt8(ascii: "0") : nibble - 10 + UInt8(ascii: "a")
                    rest >>= 4
                }
            }
            let dash = UInt8(ascii: "-")
            buffer[0] = UInt8(ascii: "0")
            buffer[1] = UInt8(ascii: "0")
            buffer[2] = dash
            put(traceID.high, digits: 16, at: 3)
            put(traceID.low, digits: 16, at: 19)
            buffer[35] = dash
            put(spanID.value, digits: 16, at: 36)
            buffer[52] = dash
            put(UInt64(traceFlags), digits: 2, at: 53)
            return 55
        }
    }
}
