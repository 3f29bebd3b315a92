import ChoreoModel

extension FlowExport {
    /// One flow as a Graphviz digraph: a box per step (type, publisher, deliveries), an edge from
    /// each cause to what its handling published, a dashed edge from each compensation to the
    /// step it undoes; failed steps red, compensations orange, unconsumed steps dashed.
    public static func dot(_ flow: Flow) -> String {
        var lines = [
            "digraph flow {", "  label=\"\(ExportEscaping.dot("Flow \(flow.correlationID) (\(flow.status.rawValue))"))\";",
            "  rankdir=TB;", "  node [shape=box, fontname=\"Helvetica\"];",
        ]
        var ids: [String: String] = [:]
        for (i, step) in flow.steps.enumerated() where ids[step.messageID] == nil { ids[step.messageID] = "s\(i)" }
        for (i, step) in flow.steps.enumerated() {
            var label = "\(step.type)\nfrom \(step.source)"
            for d in step.deliveries {
                label += "\n→ \(d.service ?? d.consumer): \(d.outcome.rawValue)" + (d.attempts > 1 ? " ×\(d.attempts)" : "")
            }
            var attributes = ["label=\"\(ExportEscaping.dot(label))\""]
            if step.deliveries.contains(where: { $0.outcome == .deadLettered }) {
                attributes.append("color=red")
            } else if step.isCompensation {
                attributes.append("color=orange")
            }
            if step.deliveries.isEmpty { attributes.append("style=dashed") }
            lines.append("  s\(i) [\(attributes.joined(separator: ", "))];")
        }
        for (i, step) in flow.steps.enumerated() {
            if let cause = step.causationID, let from = ids[cause] { lines.append("  \(from) -> s\(i);") }
            if let target = step.compensates, let to = ids[target] {
                lines.append("  s\(i) -> \(to) [style=dashed, color=orange, label=\"compensates\"];")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The process map as a Graphviz digraph: a node per type with its count, an edge per
    /// directly-follows relation labelled with count, p50 and p95; pen width grows with count.
    public static func dot(_ map: ProcessMap) -> String {
        var lines = ["digraph process_map {", "  rankdir=LR;", "  node [shape=box, style=rounded, fontname=\"Helvetica\"];"]
        var ids: [String: String] = [:]
        for (i, node) in map.nodes.enumerated() {
            ids[node.type] = "n\(i)"
            lines.append("  n\(i) [label=\"\(ExportEscaping.dot("\(node.type)\n\(node.count)"))\"];")
        }
        let top = max(map.edges.map(\.count).max() ?? 1, 1)
        for edge in map.edges {
            guard let from = ids[edge.from], let to = ids[edge.to] else { continue }
            let width = 1 + 4 * Double(edge.count) / Double(top)
            let label = "\(edge.count)\np50 \(ms(edge.p50Nanos)) p95 \(ms(edge.p95Nanos))"
            lines.append("  \(from) -> \(to) [label=\"\(ExportEscaping.dot(label))\", penwidth=\(String(format: width))];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// A width with one decimal, without Foundation.
    fileprivate init(format value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(tenths % 10)"
    }
}
