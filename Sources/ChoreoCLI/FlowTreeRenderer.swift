import ChoreoFlows
import ChoreoModel

/// Renders one flow as `choreo flows show` prints it: a header, then the steps as a causation tree.
///
/// A step appears under the message whose handling published it; steps whose cause is unknown
/// (the first message, or a cause whose spans never arrived) start a tree of their own. Each
/// step shows its type, message id, publisher and offset from the flow's start, a
/// `↺ compensates <type> (<id>)` mark on compensations, and one line per consumer delivery
/// (consumer, outcome, attempts, error). Pure: takes a model, returns text.
public struct FlowTreeRenderer: Sendable {
    /// Colours (off unless stdout is a terminal).
    public var palette: Palette

    /// A renderer that colours with `palette`.
    public init(palette: Palette = .plain) {
        self.palette = palette
    }

    /// The header and step tree, newline-terminated.
    public func render(_ flow: Flow) -> String {
        var lines = header(flow)
        lines.append("")
        if flow.steps.isEmpty {
            lines.append("no steps recorded")
        } else {
            lines += tree(flow)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The header block: correlation id, status, outcome, traces, times, what it waits for.
    func header(_ flow: Flow) -> [String] {
        var rows: [(String, String)] = [
            ("status", palette.status(flow.status)),
            ("outcome", flow.outcome ?? "-"),
            ("traces", flow.traceIDs.isEmpty ? "-" : flow.traceIDs.map(\.hex).joined(separator: ", ")),
            ("started", UnixTime.rfc3339(flow.startedAtUnixNano)),
            (
                "ended",
                UnixTime.rfc3339(flow.endedAtUnixNano)
                    + "  (" + DurationFormat.between(flow.startedAtUnixNano, flow.endedAtUnixNano) + ")"
            ),
            ("waiting for", flow.waitingFor ?? "-"),
        ]
        if flow.gaps > 0 {
            rows.append(("gaps", "\(flow.gaps) never seen (causing messages, handled deliveries or announced retries)"))
        }
        let findings = flow.findings
        if !findings.unconsumed.isEmpty {
            rows.append(("not consumed", palette.paint(findings.unconsumed.joined(separator: ", "), .magenta)))
        }
        if !findings.deadLettered.isEmpty {
            rows.append(("dead-lettered", palette.paint(findings.deadLettered.joined(separator: ", "), .red)))
        }
        if findings.duplicatesIgnored > 0 {
            rows.append(("duplicates", "\(findings.duplicatesIgnored) ignored"))
        }
        if !findings.uncompensated.isEmpty {
            rows.append(("uncompensated", palette.paint(findings.uncompensated.joined(separator: ", "), .red)))
        }
        for deviation in findings.deviations {
            rows.append(("deviation", palette.paint("\(deviation.kind.rawValue): \(deviation.detail)", .yellow)))
        }
        let width = rows.map(\.0.count).max() ?? 0
        return [palette.paint("Flow \(flow.correlationID)", .bold)]
            + rows.map { label, value in
                "  " + label + String(repeating: " ", count: width - label.count) + "  " + value
            }
    }
}
