/// Repeated measurements of one figure (one value per run) and their percentiles.
///
/// Percentiles use the nearest-rank method on the sorted values, so with 15 runs p99 is the
/// largest value and p50 the 8th: read p99 as "the worst run", not as a tail latency.
public struct Samples: Sendable {
    /// The values in the order they were measured.
    public private(set) var values: [Double] = []

    /// No values yet.
    public init() {}

    /// Values measured elsewhere.
    public init(_ values: [Double]) { self.values = values }

    /// Adds one run's value.
    public mutating func add(_ value: Double) { values.append(value) }

    /// The `p`-th percentile (0...100) by nearest rank; `.nan` without values.
    public func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }

    /// The median (nearest rank).
    public var p50: Double { percentile(50) }
    /// The 99th percentile (nearest rank): with fewer than 100 runs, the largest value.
    public var p99: Double { percentile(99) }
    /// The smallest value.
    public var min: Double { values.min() ?? .nan }
    /// The largest value.
    public var max: Double { values.max() ?? .nan }

    /// Element-wise difference of two series measured in the same runs (`self[i] - other[i]`).
    public func pairedDifference(minus other: Samples) -> Samples {
        Samples(zip(values, other.values).map { $0 - $1 })
    }

    /// Element-wise ratio of two series measured in the same runs (`self[i] / other[i]`).
    public func pairedRatio(over other: Samples) -> Samples {
        Samples(zip(values, other.values).map { $0 / $1 })
    }
}
