import ChoreoModel

/// Estimates each clock source's offset from causality, across many flows.
///
/// Every hop (``ClockHop``) from source A to source B bounds B's offset minus A's from above
/// by the delay recorded; hops the other way bound it from below. Like NTP's minimum filter,
/// only the smallest delay of each direction matters: the estimator keeps the latest
/// ``Configuration/hopsPerPair`` delays of every ordered pair of sources (so it follows clocks
/// that drift) and, when asked, chains the bounds across sources (shortest paths over the
/// pairs) and takes the middle of the interval they leave, relative to a reference source per
/// group of connected sources (the one with the most hops).
///
/// An offset is certain when both bounds come from pairs with at least
/// ``Configuration/minimumHops`` hops each and the interval is no wider than twice
/// ``Configuration/maximumErrorNanos``. Otherwise it is uncertain and is not guessed: it is the
/// value within whatever bounds there are that is closest to 0 — the smallest shift that puts
/// the recorded times back in causal order (see ``ClockOffset/uncertain``).
///
/// A value type with fixed bounds; the collector shares one behind a lock
/// (``SharedClockSkewEstimator``).
public struct ClockSkewEstimator: Sendable {
    /// Bounds and thresholds.
    public struct Configuration: Hashable, Sendable {
        /// Hops each direction of a pair needs before its bound counts toward a certain estimate.
        public var minimumHops: Int
        /// The largest error (half the interval the bounds leave) of a certain estimate, nanoseconds.
        public var maximumErrorNanos: UInt64
        /// The latest delays kept per ordered pair of sources.
        public var hopsPerPair: Int
        /// Sources tracked at most; hops of further sources are counted in ``ClockSkewEstimator/droppedHops``.
        public var maxSources: Int

        /// Creates a configuration: by default 20 hops per direction, 10 ms error, 512 delays
        /// per pair, 128 sources.
        public init(minimumHops: Int = 20, maximumErrorNanos: UInt64 = 10_000_000, hopsPerPair: Int = 512, maxSources: Int = 128) {
            self.minimumHops = minimumHops
            self.maximumErrorNanos = maximumErrorNanos
            self.hopsPerPair = hopsPerPair
            self.maxSources = maxSources
        }
    }

    struct Pair: Hashable {
        var from: String
        var to: String
    }

    /// The latest delays of one ordered pair (a ring).
    struct Window {
        var delays: [Int64] = []
        var next = 0

        mutating func add(_ delay: Int64, capacity: Int) {
            if delays.count < capacity {
                delays.append(delay)
            } else {
                delays[next] = delay
                next = (next + 1) % capacity
            }
        }

        var minimum: Int64? { delays.min() }
    }

    /// The thresholds this estimator was made with.
    public let configuration: Configuration
    var windows: [Pair: Window] = [:]
    private var sources: Set<String> = []
    /// Hops not kept because ``Configuration/maxSources`` sources were already tracked.
    public private(set) var droppedHops = 0
    /// Hops kept so far (including those since pushed out of a window).
    public private(set) var observedHops = 0

    /// Creates an empty estimator.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Records one hop; hops within one source say nothing about clocks and are ignored.
    public mutating func observe(_ hop: ClockHop) {
        guard hop.from != hop.to, configuration.hopsPerPair > 0 else { return }
        for source in [hop.from, hop.to] where !sources.contains(source) {
            guard sources.count < configuration.maxSources else {
                droppedHops += 1
                return
            }
            sources.insert(source)
        }
        windows[Pair(from: hop.from, to: hop.to), default: Window()].add(hop.delayNanos, capacity: configuration.hopsPerPair)
        observedHops += 1
    }

    /// Records every hop in `spans` (see ``ClockSkewEstimator/hops(in:)``).
    public mutating func observe(spans: [SpanRecord]) {
        for hop in Self.hops(in: spans) { observe(hop) }
    }

    /// Every source seen, sorted.
    public var trackedSources: [String] { sources.sorted() }

    /// The offsets as the hops seen so far give them.
    public func offsets() -> ClockOffsets {
        let names = sources.sorted()
        guard !names.isEmpty else { return ClockOffsets() }
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0.element, $0.offset) })
        var all = DistanceMatrix(count: names.count)
        var strong = DistanceMatrix(count: names.count)
        var hops = [Int](repeating: 0, count: names.count)
        var groups = Groups(count: names.count)
        for (pair, window) in windows {
            guard let i = index[pair.from], let j = index[pair.to], let minimum = window.minimum else { continue }
            all.tighten(i, j, minimum)
            if window.delays.count >= configuration.minimumHops { strong.tighten(i, j, minimum) }
            hops[i] += window.delays.count
            hops[j] += window.delays.count
            groups.join(i, j)
        }
        all.closeShortestPaths()
        strong.closeShortestPaths()

        let reference = groups.references(byMostHops: hops)

        var result: [String: ClockOffset] = [:]
        for j in names.indices {
            let r = reference[groups.root(j)]
            if r == j {
                result[names[j]] = ClockOffset(nanos: 0, reference: names[r], lowerNanos: 0, upperNanos: 0, hops: hops[j])
                continue
            }
            result[names[j]] = estimate(
                reference: names[r], hops: hops[j],
                strong: (strong.distance(j, r).map { -$0 }, strong.distance(r, j)),
                all: (all.distance(j, r).map { -$0 }, all.distance(r, j))
            )
        }
        return ClockOffsets(bySource: result)
    }

    /// The offset of one source from its bounds: through well-observed pairs only (`strong`)
    /// and through every pair (`all`).
    func estimate(reference: String, hops: Int, strong: (lower: Int64?, upper: Int64?), all: (lower: Int64?, upper: Int64?)) -> ClockOffset {
        if let lower = strong.lower, let upper = strong.upper, lower <= upper,
            UInt64(upper - lower) <= configuration.maximumErrorNanos.multipliedReportingOverflow(by: 2).partialValue
        {
            let middle = lower + (upper - lower) / 2
            return ClockOffset(nanos: middle, reference: reference, lowerNanos: lower, upperNanos: upper, hops: hops)
        }
        return ClockOffset(
            nanos: Self.smallestShift(lower: all.lower, upper: all.upper), reference: reference,
            lowerNanos: all.lower, upperNanos: all.upper, hops: hops, uncertain: true)
    }

    /// The offsets' nanoseconds that an estimator counting no pair as well observed and keeping
    /// every hop (`minimumHops`, `hopsPerPair` and `maxSources` all `Int.max`) makes of `hops`:
    /// for each source, the smallest shift causality demands relative to the reference of its
    /// group (``smallestShift(lower:upper:)``; 0 for the reference). A flow's own causal clamp
    /// (``FlowBuilder``), without the windows and dictionaries of a whole estimator.
    static func smallestShifts(_ hops: [ClockHop]) -> [(source: String, nanos: Int64)] {
        var names: [String] = []
        var seen: Set<String> = []
        for hop in hops where hop.from != hop.to {
            if seen.insert(hop.from).inserted { names.append(hop.from) }
            if seen.insert(hop.to).inserted { names.append(hop.to) }
        }
        guard !names.isEmpty else { return [] }
        names.sort()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0.element, $0.offset) })
        var all = DistanceMatrix(count: names.count)
        var counts = [Int](repeating: 0, count: names.count)
        var groups = Groups(count: names.count)
        for hop in hops where hop.from != hop.to {
            guard let i = index[hop.from], let j = index[hop.to] else { continue }
            all.tighten(i, j, hop.delayNanos)
            counts[i] += 1
            counts[j] += 1
            groups.join(i, j)
        }
        all.closeShortestPaths()
        let reference = groups.references(byMostHops: counts)
        return names.indices.map { j in
            let r = reference[groups.root(j)]
            guard r != j else { return (names[j], 0) }
            return (names[j], smallestShift(lower: all.distance(j, r).map { -$0 }, upper: all.distance(r, j)))
        }
    }

    /// The value within `lower...upper` (either may be open) closest to 0; the middle when the
    /// bounds contradict each other (lower above upper).
    static func smallestShift(lower: Int64?, upper: Int64?) -> Int64 {
        if let lower, let upper, lower > upper { return lower / 2 + upper / 2 }
        if let lower, lower > 0 { return lower }
        if let upper, upper < 0 { return upper }
        return 0
    }
}

/// Shortest paths between sources (each edge `i → j` an upper bound on offset(j) - offset(i)).
struct DistanceMatrix {
    let count: Int
    private var cells: [Int64?]

    init(count: Int) {
        self.count = count
        cells = [Int64?](repeating: nil, count: count * count)
        for i in 0..<count { cells[i * count + i] = 0 }
    }

    func distance(_ i: Int, _ j: Int) -> Int64? { cells[i * count + j] }

    mutating func tighten(_ i: Int, _ j: Int, _ value: Int64) {
        if let current = cells[i * count + j], current <= value { return }
        cells[i * count + j] = value
    }

    /// Floyd–Warshall; sums that overflow are skipped (no real delay comes near).
    mutating func closeShortestPaths() {
        for k in 0..<count {
            for i in 0..<count {
                guard let ik = cells[i * count + k] else { continue }
                for j in 0..<count {
                    guard let kj = cells[k * count + j] else { continue }
                    let (sum, overflow) = ik.addingReportingOverflow(kj)
                    if !overflow { tighten(i, j, sum) }
                }
            }
        }
    }
}

/// Union–find over source indices: which sources are connected by any hop.
struct Groups {
    private var parent: [Int]

    init(count: Int) { parent = Array(0..<count) }

    mutating func root(_ i: Int) -> Int {
        var i = i
        while parent[i] != i {
            parent[i] = parent[parent[i]]
            i = parent[i]
        }
        return i
    }

    /// The reference source of each group, indexed by the group's root (other entries -1): the
    /// source with the most `hops`, then the smallest index (sources are numbered in name order,
    /// so on a tie the one already chosen has the smaller name).
    mutating func references(byMostHops hops: [Int]) -> [Int] {
        var reference = [Int](repeating: -1, count: parent.count)
        for i in parent.indices {
            let group = root(i)
            if reference[group] >= 0, hops[reference[group]] >= hops[i] { continue }
            reference[group] = i
        }
        return reference
    }

    mutating func join(_ a: Int, _ b: Int) {
        let (ra, rb) = (root(a), root(b))
        if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
    }
}
