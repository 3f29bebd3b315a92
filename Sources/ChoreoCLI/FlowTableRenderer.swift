import ChoreoModel

/// Renders flow summaries as the aligned table of `choreo flows list`, with a count line.
///
/// Pure: takes models, returns text. Times are RFC 3339 UTC; a flow without an outcome shows `-`.
public struct FlowTableRenderer: Sendable {
    /// The column headers, in order.
    public static let headers = [
        "CORRELATION ID", "STATUS", "OUTCOME", "STEPS", "COMP", "ERR", "STARTED", "LAST ACTIVITY",
    ]

    /// Colours for the status column (off unless stdout is a terminal).
    public var palette: Palette

    /// A renderer that colours with `palette`.
    public init(palette: Palette = .plain) {
        self.palette = palette
    }

    /// The table followed by a count line, newline-terminated.
    ///
    /// - Parameters:
    ///   - flows: the flows, in the order the collector returned them.
    ///   - limit: the `--limit` asked for; when exactly that many came back the count line says
    ///     more may exist.
    public func render(_ flows: [FlowSummary], limit: Int? = nil) -> String {
        guard !flows.isEmpty else { return "no flows match\n" }
        var table = TextTable(
            headers: Self.headers,
            alignments: [.left, .left, .left, .right, .right, .right, .left, .left]
        )
        for flow in flows {
            table.append([
                .init(flow.correlationID),
                .init(flow.status.rawValue, Palette.color(for: flow.status)),
                .init(flow.outcome ?? "-"),
                .init(String(flow.stepCount)),
                .init(String(flow.compensationCount), flow.compensationCount > 0 ? .yellow : nil),
                .init(String(flow.errorCount), flow.errorCount > 0 ? .red : nil),
                .init(UnixTime.rfc3339(flow.startedAtUnixNano)),
                .init(UnixTime.rfc3339(flow.lastActivityAtUnixNano)),
            ])
        }
        var lines = table.render(palette: palette)
        lines.append("")
        lines.append(countLine(flows.count, limit: limit))
        return lines.joined(separator: "\n") + "\n"
    }

    private func countLine(_ count: Int, limit: Int?) -> String {
        let noun = count == 1 ? "flow" : "flows"
        if let limit, count >= limit {
            return "\(count) \(noun) (limit reached; raise --limit to see more)"
        }
        return "\(count) \(noun)"
    }
}
