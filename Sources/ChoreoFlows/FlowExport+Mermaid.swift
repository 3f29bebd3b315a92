import ChoreoModel

/// Exports of one flow and of the process map as text diagrams.
public enum FlowExport {
    /// One flow as a Mermaid sequence diagram.
    ///
    /// Services are participants (in order of first appearance); each delivery is an arrow from
    /// the publisher to the consuming service labelled with the message type (and attempts when
    /// retried). Compensations are dotted arrows marked `↺ compensates <type>`; dead-lettered
    /// deliveries end in a cross; failed attempts, messages nobody consumed and what a stuck flow
    /// waits for are notes. Every name is escaped (``ExportEscaping/mermaid(_:)``).
    public static func mermaidSequence(_ flow: Flow) -> String {
        var participants: [String] = []
        func participant(_ service: String) -> String {
            if let i = participants.firstIndex(of: service) { return "P\(i)" }
            participants.append(service)
            return "P\(participants.count - 1)"
        }
        let byID = Dictionary(flow.steps.map { ($0.messageID, $0) }, uniquingKeysWith: { a, _ in a })
        var body: [String] = []
        for step in flow.steps {
            let from = participant(step.source)
            var label = step.type
            if step.isCompensation {
                let target = step.compensates.flatMap { byID[$0]?.type } ?? step.compensates ?? "?"
                label += " ↺ compensates " + target
            }
            if step.deliveries.isEmpty {
                body.append("    Note over \(from): \(ExportEscaping.mermaid(label)) published, not consumed")
                continue
            }
            for delivery in step.deliveries {
                let to = participant(delivery.service ?? delivery.consumer)
                let failed = delivery.outcome == .deadLettered
                let arrow = step.isCompensation ? (failed ? "--x" : "-->>") : (failed ? "-x" : "->>")
                var text = label
                if delivery.attempts > 1 { text += " (\(delivery.attempts) attempts)" }
                if failed { text += " ✗ dead-lettered" }
                if delivery.outcome == .duplicateIgnored { text += " (duplicate ignored)" }
                body.append("    \(from)\(arrow)\(to): \(ExportEscaping.mermaid(text))")
                if delivery.failedAttempts > 0, let error = delivery.error {
                    body.append("    Note right of \(to): \(ExportEscaping.mermaid("\(delivery.failedAttempts) failed: \(error)"))")
                }
            }
        }
        if let waiting = flow.waitingFor {
            let last = participants.isEmpty ? participant("flow") : "P\(participants.count - 1)"
            body.append("    Note over \(last): \(ExportEscaping.mermaid("\(flow.status.rawValue): waiting for \(waiting)"))")
        }
        var lines = ["sequenceDiagram"]
        lines.append("    title \(ExportEscaping.mermaid("Flow \(flow.correlationID) (\(flow.status.rawValue))"))")
        for (i, name) in participants.enumerated() {
            lines.append("    participant P\(i) as \(ExportEscaping.mermaid(name))")
        }
        return (lines + body).joined(separator: "\n") + "\n"
    }

    /// The process map as a Mermaid flowchart (left to right): one node per type with its count,
    /// one edge per directly-follows relation labelled with its count and p50 time.
    public static func mermaidMap(_ map: ProcessMap) -> String {
        var lines = ["flowchart LR"]
        var ids: [String: String] = [:]
        for (i, node) in map.nodes.enumerated() {
            ids[node.type] = "n\(i)"
            lines.append("    n\(i)[\"\(ExportEscaping.mermaid(node.type)) (\(node.count))\"]")
        }
        for edge in map.edges {
            guard let from = ids[edge.from], let to = ids[edge.to] else { continue }
            lines.append("    \(from) -->|\"\(edge.count) · p50 \(Self.ms(edge.p50Nanos)) · p95 \(Self.ms(edge.p95Nanos))\"| \(to)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Milliseconds with up to one decimal, e.g. `12.5ms`.
    static func ms(_ nanos: UInt64) -> String {
        let tenths = (nanos + 50_000) / 100_000
        return tenths % 10 == 0 ? "\(tenths / 10)ms" : "\(tenths / 10).\(tenths % 10)ms"
    }
}
