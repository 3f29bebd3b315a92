import ChoreoModel

/// A distinct path through the process: a sequence of message types and how often flows took it.
public struct Variant: Hashable, Sendable, Codable {
    /// The message types in step order.
    public var types: [String]
    /// Flows that took exactly this path.
    public var count: Int
    /// `count` over all flows (0...1).
    public var share: Double
    /// One flow that took it (the smallest correlation id, so the choice is stable).
    public var example: String

    /// Creates a variant.
    public init(types: [String], count: Int, share: Double, example: String) {
        self.types = types
        self.count = count
        self.share = share
        self.example = example
    }
}

/// The variants of a set of flows, most frequent first (ties by types).
/// JSON: `{"flows": n, "variants": [{"types": [...], "count": n, "share": 0.0-1.0, "example": "<id>"}]}`.
public struct VariantReport: Hashable, Sendable, Codable {
    /// How many flows were analysed.
    public var flows: Int
    public var variants: [Variant]

    /// Creates a report from parts.
    public init(flows: Int, variants: [Variant]) {
        self.flows = flows
        self.variants = variants
    }

    /// The variants of `trails`.
    public init(trails: some Sequence<FlowTrail>) {
        var discovery = ProcessDiscovery()
        for trail in trails { discovery.add(trail) }
        self = discovery.variantReport
    }

    /// The first `limit` variants (all when nil).
    public func prefix(_ limit: Int?) -> VariantReport {
        guard let limit else { return self }
        return VariantReport(flows: flows, variants: Array(variants.prefix(max(0, limit))))
    }
}
