import ChoreoModel

/// The process discovered across many flows: the directly-follows graph of message types.
///
/// A node is a message type with the number of messages of that type; an edge `a → b` counts how
/// often a message of type `b` directly followed one of type `a` within a flow (in step order,
/// see ``FlowTrail``), with the p50 and p95 (nearest rank) of the time between their publishes.
/// Nodes are sorted by count (descending) then type; edges by count then from, to.
public struct ProcessMap: Hashable, Sendable {
    /// A message type and how many messages of it were seen.
    public struct Node: Hashable, Sendable {
        /// The message type.
        public var type: String
        /// Messages of this type across the flows.
        public var count: Int
        /// Flows that started with this type.
        public var starts: Int
        /// Flows that ended with this type.
        public var ends: Int

        /// Creates a node.
        public init(type: String, count: Int, starts: Int = 0, ends: Int = 0) {
            self.type = type
            self.count = count
            self.starts = starts
            self.ends = ends
        }
    }

    /// A directly-follows relation with its frequency and transition times.
    public struct Edge: Hashable, Sendable {
        /// The earlier message type.
        public var from: String
        /// The type that directly followed it.
        public var to: String
        /// How often `to` directly followed `from`.
        public var count: Int
        /// Median time from `from`'s publish to `to`'s publish, nanoseconds.
        public var p50Nanos: UInt64
        /// 95th percentile of that time, nanoseconds.
        public var p95Nanos: UInt64

        /// Creates an edge.
        public init(from: String, to: String, count: Int, p50Nanos: UInt64, p95Nanos: UInt64) {
            self.from = from
            self.to = to
            self.count = count
            self.p50Nanos = p50Nanos
            self.p95Nanos = p95Nanos
        }
    }

    /// The message types, most frequent first.
    public var nodes: [Node]
    /// The directly-follows relations, most frequent first.
    public var edges: [Edge]
    /// How many flows the map was discovered from.
    public var flows: Int

    /// Creates a map from parts (e.g. decoded JSON).
    public init(nodes: [Node], edges: [Edge], flows: Int) {
        self.nodes = nodes
        self.edges = edges
        self.flows = flows
    }

    /// Discovers the map of `trails`.
    public init(trails: some Sequence<FlowTrail>) {
        var discovery = ProcessDiscovery()
        for trail in trails { discovery.add(trail) }
        self = discovery.map
    }

    /// The edges as `(from, to) → count`, e.g. to compare with another tool's discovery.
    public var edgeCounts: [String: Int] {
        Dictionary(edges.map { ("\($0.from)\u{1F}\($0.to)", $0.count) }, uniquingKeysWith: +)
    }
}

/// Accumulates trails one at a time, then yields the ``ProcessMap`` and the variants.
public struct ProcessDiscovery: Sendable {
    private struct EdgeKey: Hashable { var from: String, to: String }
    private var nodeCounts: [String: (count: Int, starts: Int, ends: Int)] = [:]
    private var edgeTimes: [EdgeKey: [UInt64]] = [:]
    private var variants: [[String]: (count: Int, example: String)] = [:]
    /// Paths added so far.
    public private(set) var flows = 0

    /// An empty discovery.
    public init() {}

    /// Adds one flow's trail.
    public mutating func add(_ trail: FlowTrail) {
        flows += 1
        let steps = trail.steps
        for (i, step) in steps.enumerated() {
            var node = nodeCounts[step.type] ?? (0, 0, 0)
            node.count += 1
            if i == 0 { node.starts += 1 }
            if i == steps.count - 1 { node.ends += 1 }
            nodeCounts[step.type] = node
            guard i > 0 else { continue }
            let previous = steps[i - 1]
            let took = step.publishedAtUnixNano > previous.publishedAtUnixNano ? step.publishedAtUnixNano - previous.publishedAtUnixNano : 0
            edgeTimes[EdgeKey(from: previous.type, to: step.type), default: []].append(took)
        }
        let types = trail.types
        if let existing = variants[types] {
            variants[types] = (existing.count + 1, min(existing.example, trail.correlationID))
        } else {
            variants[types] = (1, trail.correlationID)
        }
    }

    /// The process map of the trails added so far.
    public var map: ProcessMap {
        let nodes = nodeCounts.map { ProcessMap.Node(type: $0.key, count: $0.value.count, starts: $0.value.starts, ends: $0.value.ends) }
            .sorted { ($1.count, $0.type) < ($0.count, $1.type) }
        let edges = edgeTimes.map { key, times in
            let sorted = times.sorted()
            return ProcessMap.Edge(
                from: key.from, to: key.to, count: times.count,
                p50Nanos: Self.percentile(0.5, sorted), p95Nanos: Self.percentile(0.95, sorted))
        }.sorted { ($1.count, $0.from, $0.to) < ($0.count, $1.from, $1.to) }
        return ProcessMap(nodes: nodes, edges: edges, flows: flows)
    }

    /// The variants of the trails added so far, most frequent first.
    public var variantReport: VariantReport {
        let total = max(flows, 1)
        let list = variants.map { types, value in
            Variant(types: types, count: value.count, share: Double(value.count) / Double(total), example: value.example)
        }.sorted { a, b in
            if a.count != b.count { return a.count > b.count }
            return a.types.lexicographicallyPrecedes(b.types)
        }
        return VariantReport(flows: flows, variants: list)
    }

    /// Nearest-rank percentile of sorted values; 0 when empty.
    static func percentile(_ p: Double, _ sorted: [UInt64]) -> UInt64 {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
