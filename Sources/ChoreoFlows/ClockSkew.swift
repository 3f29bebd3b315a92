import ChoreoModel

/// One piece of causal evidence about two clocks: something `to` recorded cannot have happened
/// before something `from` recorded (a delivery starts after its message was published; a
/// handler publishes while it runs).
///
/// `delayNanos` is the later time (on `to`'s clock) minus the earlier one (on `from`'s clock),
/// as recorded. The true delay is never negative, so with `offset(X)` = X's clock minus a
/// reference clock, `offset(to) - offset(from) ≤ delayNanos`.
public struct ClockHop: Hashable, Sendable {
    /// The clock source of the earlier event (see ``ClockSource``).
    public var from: String
    /// The clock source of the later event.
    public var to: String
    /// Later minus earlier, as recorded (negative when the clocks disagree by more than the delay).
    public var delayNanos: Int64

    /// Creates a hop.
    public init(from: String, to: String, delayNanos: Int64) {
        self.from = from
        self.to = to
        self.delayNanos = delayNanos
    }
}

/// Names the clock that stamped a span: its `service.name`, plus `@` and the resource's
/// `service.instance.id` (else `host.name`) when the span's resource has one.
public enum ClockSource {
    /// The resource attribute that tells instances of one service apart.
    public static let instanceKey = "service.instance.id"
    /// The resource attribute naming the host, used when there is no instance id.
    public static let hostKey = "host.name"

    /// The clock source of `span`.
    public static func of(_ span: SpanRecord) -> String {
        guard !span.resourceAttributes.isEmpty else { return span.serviceName }
        if case .string(let value)? = span.resourceAttributes[instanceKey], !value.isEmpty { return span.serviceName + "@" + value }
        if case .string(let value)? = span.resourceAttributes[hostKey], !value.isEmpty { return span.serviceName + "@" + value }
        return span.serviceName
    }
}

/// What is known of one source's clock, relative to a reference source's clock.
public struct ClockOffset: Hashable, Sendable {
    /// The estimated offset: the source's clock minus the reference's, nanoseconds. A time the
    /// source recorded minus this is the same moment on the reference's clock.
    public var nanos: Int64
    /// The source the offset is relative to (offset 0 by definition).
    public var reference: String
    /// The smallest offset causality allows; nil when no evidence bounds it from below.
    public var lowerNanos: Int64?
    /// The largest offset causality allows; nil when no evidence bounds it from above.
    public var upperNanos: Int64?
    /// Hops (``ClockHop``) to or from this source in the estimator's window.
    public var hops: Int
    /// True when the evidence is too thin to estimate: too few hops in one direction or
    /// none at all, bounds wider than the configured error, or bounds that contradict each
    /// other. ``nanos`` is then not an estimate but the smallest shift causality demands
    /// (0 when the bounds allow 0).
    public var uncertain: Bool

    /// Creates an offset.
    public init(nanos: Int64, reference: String, lowerNanos: Int64? = nil, upperNanos: Int64? = nil, hops: Int = 0, uncertain: Bool = false) {
        self.nanos = nanos
        self.reference = reference
        self.lowerNanos = lowerNanos
        self.upperNanos = upperNanos
        self.hops = hops
        self.uncertain = uncertain
    }
}

/// The offsets of every clock source seen, as ``ClockSkewEstimator`` estimated them.
public struct ClockOffsets: Hashable, Sendable {
    /// The offset of each source, by ``ClockSource`` name.
    public var bySource: [String: ClockOffset]

    /// Creates offsets from explicit values.
    public init(bySource: [String: ClockOffset] = [:]) {
        self.bySource = bySource
    }

    /// The offset of `source`, nil when it was never seen.
    public func offset(of source: String) -> ClockOffset? { bySource[source] }

    /// True when no source has an offset other than 0.
    public var isZero: Bool { bySource.values.allSatisfy { $0.nanos == 0 } }
}

extension Int64 {
    /// `a - b` for two Unix times, saturating at the ends of `Int64`.
    static func difference(_ a: UInt64, _ b: UInt64) -> Int64 {
        a >= b ? Int64(clamping: a - b) : -Int64(clamping: b - a)
    }
}

extension UInt64 {
    /// This time moved by `-nanos` (a source's time on the reference's clock), saturating at 0
    /// and at `UInt64.max`.
    func shifted(back nanos: Int64) -> UInt64 {
        if nanos >= 0 { return self >= UInt64(nanos) ? self - UInt64(nanos) : 0 }
        let forward = nanos.magnitude
        return self <= UInt64.max - forward ? self + forward : UInt64.max
    }
}
