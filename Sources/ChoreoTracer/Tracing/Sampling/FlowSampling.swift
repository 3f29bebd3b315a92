import ChoreoModel

/// Consistent head sampling by flow: whether a flow (a correlation id) is kept at a ratio, decided
/// the same way by every service in every language, so a kept flow is complete end to end.
///
/// The decision is ``ChoreoModel/FlowHash`` (FNV-1a 64 of the correlation id, then `fmix64`;
/// kept when the top 53 bits fall under `ratio * 2^53`), the hash the collector's tail sampling
/// (`--keep-healthy`) uses too, so both keep the same flows at the same ratio.
///
/// For example `order-1` hashes to `0x491b422e3af0d9a5` (top 53 bits / 2^53 ≈ 0.2856: kept at
/// ratio 0.3, not at 0.25) and `order-2` to `0xaaca0c2aeae39bab` (≈ 0.6671).
public struct FlowSampling: Sendable, Hashable {
    private let decision: FlowHash
    /// The share of flows kept, from 0 to 1.
    public var ratio: Double { decision.ratio }

    /// Keeps `ratio` of the flows (clamped to 0...1).
    public init(ratio: Double) {
        decision = FlowHash(ratio: ratio)
    }

    /// True when the flow with this correlation id is kept.
    public func keeps(correlationID: String) -> Bool {
        decision.keeps(correlationID: correlationID)
    }

    /// FNV-1a 64 of the UTF-8 bytes, then `fmix64` (``ChoreoModel/FlowHash/hash(_:)``).
    public static func hash(_ correlationID: String) -> UInt64 { FlowHash.hash(correlationID) }
}

extension SamplerSelection {
    /// The flows `OTEL_TRACES_SAMPLER=choreo_flow` keeps (nil for every other sampler): the
    /// tracer then hands its spans to a ``FlowSamplingProcessor`` in front of the export.
    public var flowSampling: FlowSampling? {
        if case .choreoFlow(let ratio) = root { return FlowSampling(ratio: ratio) }
        return nil
    }
}
