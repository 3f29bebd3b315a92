extension LatencyLearner {
    /// The stuck limits learned so far.
    ///
    /// A type with at least ``Configuration/minimumSamples`` samples gets
    /// `clamp(p99 × margin, floor, ceiling)`. Every other type falls back to the same rule over
    /// the global samples when there are enough of them, else to the ceiling.
    public func limits() -> StuckLimits {
        let minimum = max(1, configuration.minimumSamples)
        var perType: [String: UInt64] = [:]
        for type in trackedTypes where sampleCount(for: type) >= minimum {
            if let p99 = percentileNanos(0.99, of: type) { perType[type] = limit(fromP99: p99) }
        }
        var fallback = configuration.ceilingNanos
        if sampleCount(for: nil) >= minimum, let p99 = percentileNanos(0.99, of: nil) {
            fallback = limit(fromP99: p99)
        }
        return StuckLimits(perTypeNanos: perType, fallbackNanos: fallback)
    }

    /// `clamp(p99 × margin, floor, ceiling)`; the ceiling wins when floor and ceiling cross.
    public func limit(fromP99 p99: UInt64) -> UInt64 {
        let ceiling = configuration.ceilingNanos
        let scaled = Double(p99) * max(configuration.margin, 0)
        let raised = scaled >= Double(ceiling) ? ceiling : max(UInt64(scaled), configuration.floorNanos)
        return min(raised, ceiling)
    }
}
