#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import ChoreoModel

/// The ground truth of a run: every flow by correlation id.
///
/// JSON (the `--truth` file): an object keyed by correlation id, each value a ``FlowTruth``.
public struct Truth: Sendable, Hashable, Codable {
    /// The flows by correlation id (the order id).
    public var flows: [String: FlowTruth]

    /// Creates a truth.
    public init(flows: [String: FlowTruth]) {
        self.flows = flows
    }

    public init(from decoder: any Decoder) throws {
        flows = try decoder.singleValueContainer().decode([String: FlowTruth].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(flows)
    }

    /// The JSON document, keys sorted, pretty-printed.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// How many flows ended with each status and outcome, sorted by status then outcome.
    public var tally: [(status: FlowStatus, outcome: String?, count: Int)] {
        var counts: [String: (FlowStatus, String?, Int)] = [:]
        for flow in flows.values {
            let key = "\(flow.status.rawValue)/\(flow.outcome ?? "")"
            counts[key, default: (flow.status, flow.outcome, 0)].2 += 1
        }
        return counts.sorted { $0.key < $1.key }.map { (status: $0.value.0, outcome: $0.value.1, count: $0.value.2) }
    }
}
