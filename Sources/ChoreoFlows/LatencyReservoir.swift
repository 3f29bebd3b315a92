/// The latest `capacity` latency samples (nanoseconds), oldest overwritten first.
struct LatencyReservoir: Hashable, Sendable {
    let capacity: Int
    private(set) var samples: [UInt64] = []
    private var next = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        samples.reserveCapacity(min(self.capacity, 64))
    }

    /// Adds a sample; when full, it replaces the oldest one.
    mutating func add(_ nanos: UInt64) {
        if samples.count < capacity {
            samples.append(nanos)
        } else {
            samples[next] = nanos
        }
        next = (next + 1) % capacity
    }

    var count: Int { samples.count }

    /// The nearest-rank percentile `p` (0 < p ≤ 1) of the samples; nil when there are none.
    func percentile(_ p: Double) -> UInt64? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

/// The latest `capacity` keys, for skipping what was already counted; the oldest is forgotten first.
struct RecentKeys: Sendable {
    let capacity: Int
    private var ring: [String] = []
    private var members: Set<String> = []
    private var next = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Inserts `key`; false when it is already remembered.
    mutating func insert(_ key: String) -> Bool {
        guard !members.contains(key) else { return false }
        if ring.count < capacity {
            ring.append(key)
        } else {
            members.remove(ring[next])
            ring[next] = key
        }
        members.insert(key)
        next = (next + 1) % capacity
        return true
    }
}
