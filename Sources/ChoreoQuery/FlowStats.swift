/// Flows per status: `{"by_status": {...}, "total": n}` on the wire.
public struct FlowStats: Codable, Sendable, Hashable {
    public var byStatus: [String: Int]
    public var total: Int

    public init(byStatus: [String: Int], total: Int) {
        self.byStatus = byStatus
        self.total = total
    }

    enum CodingKeys: String, CodingKey {
        case byStatus = "by_status"
        case total
    }
}
