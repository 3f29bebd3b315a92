/// The JSON contract of `choreo flows map --json` and `GET /api/v1/map`:
/// `{"nodes": [{"type", "count", ...}], "edges": [{"from", "to", "count", "p50_ms", "p95_ms"}], "flows": n}`.
/// Fields may be added, never renamed.
extension ProcessMap: Codable {
    enum CodingKeys: String, CodingKey { case nodes, edges, flows }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            nodes: try c.decode([Node].self, forKey: .nodes), edges: try c.decode([Edge].self, forKey: .edges),
            flows: try c.decodeIfPresent(Int.self, forKey: .flows) ?? 0
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(nodes, forKey: .nodes)
        try c.encode(edges, forKey: .edges)
        try c.encode(flows, forKey: .flows)
    }
}

extension ProcessMap.Node: Codable {
    enum CodingKeys: String, CodingKey { case type, count, starts, ends }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            type: try c.decode(String.self, forKey: .type), count: try c.decode(Int.self, forKey: .count),
            starts: try c.decodeIfPresent(Int.self, forKey: .starts) ?? 0, ends: try c.decodeIfPresent(Int.self, forKey: .ends) ?? 0
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(count, forKey: .count)
        try c.encode(starts, forKey: .starts)
        try c.encode(ends, forKey: .ends)
    }
}

extension ProcessMap.Edge: Codable {
    enum CodingKeys: String, CodingKey {
        case from, to, count
        case p50 = "p50_ms"
        case p95 = "p95_ms"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            from: try c.decode(String.self, forKey: .from), to: try c.decode(String.self, forKey: .to),
            count: try c.decode(Int.self, forKey: .count),
            p50Nanos: Milliseconds.nanos(try c.decode(Double.self, forKey: .p50)),
            p95Nanos: Milliseconds.nanos(try c.decode(Double.self, forKey: .p95))
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(count, forKey: .count)
        try c.encode(Milliseconds.value(p50Nanos), forKey: .p50)
        try c.encode(Milliseconds.value(p95Nanos), forKey: .p95)
    }
}
