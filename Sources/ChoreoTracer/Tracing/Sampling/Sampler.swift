import ChoreoModel

/// What a sampler knows when a span starts.
public struct SamplingInput: Sendable {
    /// The new span's trace id (the parent's, or a new one for a root span).
    public var traceID: TraceID
    /// The parent's span context, nil for a root span.
    public var parent: ChoreoSpanContext?
    /// The new span's name.
    public var operationName: String
    /// The new span's kind.
    public var kind: ChoreoModel.SpanKind

    /// An input for one span start.
    public init(traceID: TraceID, parent: ChoreoSpanContext?, operationName: String, kind: ChoreoModel.SpanKind) {
        self.traceID = traceID
        self.parent = parent
        self.operationName = operationName
        self.kind = kind
    }
}

/// Decides at span start whether a span is sampled: a sampled span is exported and carries
/// the `sampled` flag to its children; an unsampled one is neither exported nor flagged.
///
/// Flows need every publish and delivery: a sampler that drops some spans of a flow leaves
/// gaps in it (the README says which samplers keep flows whole).
public protocol Sampler: Sendable {
    /// True when the span is sampled.
    func shouldSample(_ input: SamplingInput) -> Bool
}

/// Samples every span (`always_on`).
public struct AlwaysOnSampler: Sampler {
    public init() {}
    public func shouldSample(_ input: SamplingInput) -> Bool { true }
}

/// Samples no span (`always_off`).
public struct AlwaysOffSampler: Sampler {
    public init() {}
    public func shouldSample(_ input: SamplingInput) -> Bool { false }
}

/// Samples a fixed fraction of traces, decided by the trace id alone (`traceidratio`), so every
/// service with the same ratio decides alike for the same trace.
///
/// As the OpenTelemetry specification's consistent probability sampling: the trace id's 56
/// least significant bits are its randomness R; a trace is sampled when R is at least the
/// rejection threshold (1 − ratio) × 2^56.
public struct TraceIDRatioSampler: Sampler {
    /// The fraction of traces sampled, 0...1.
    public let ratio: Double
    let threshold: UInt64

    /// A sampler keeping `ratio` of traces (clamped to 0...1).
    public init(ratio: Double) {
        let clamped = min(max(ratio.isNaN ? 0 : ratio, 0), 1)
        self.ratio = clamped
        let span = Double(Self.randomnessRange)
        threshold = clamped >= 1 ? 0 : UInt64((1 - clamped) * span).clamped(to: 0...Self.randomnessRange)
    }

    /// 2^56: the number of values of a trace id's randomness.
    static let randomnessRange: UInt64 = 1 << 56

    public func shouldSample(_ input: SamplingInput) -> Bool {
        guard ratio > 0 else { return false }
        return input.traceID.low & (Self.randomnessRange - 1) >= threshold
    }
}

/// Follows the parent's `sampled` flag when there is a parent, and asks `root` otherwise
/// (`parentbased_*`).
public struct ParentBasedSampler: Sampler {
    /// The sampler of root spans.
    public let root: any Sampler

    /// A parent-based sampler over `root`.
    public init(root: any Sampler) {
        self.root = root
    }

    public func shouldSample(_ input: SamplingInput) -> Bool {
        if let parent = input.parent { return parent.isSampled }
        return root.shouldSample(input)
    }
}

extension Comparable {
    fileprivate func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
