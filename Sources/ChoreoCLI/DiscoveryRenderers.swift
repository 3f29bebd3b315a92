import ChoreoFlows
import ChoreoModel
import ChoreoStore

/// Renders the process map as `choreo flows map` prints it: message types, then transitions.
public struct ProcessMapRenderer: Sendable {
    public var palette: Palette

    /// A renderer that colours with `palette`.
    public init(palette: Palette = .plain) { self.palette = palette }

    /// Two aligned tables and a count line, newline-terminated.
    public func render(_ map: ProcessMap) -> String {
        guard !map.nodes.isEmpty else { return "no flows match\n" }
        var nodes = TextTable(headers: ["TYPE", "COUNT", "STARTS", "ENDS"], alignments: [.left, .right, .right, .right])
        for node in map.nodes {
            nodes.append([.init(node.type, .bold), .init(String(node.count)), .init(String(node.starts)), .init(String(node.ends))])
        }
        var edges = TextTable(headers: ["FROM", "TO", "COUNT", "P50", "P95"], alignments: [.left, .left, .right, .right, .right])
        for edge in map.edges {
            edges.append([
                .init(edge.from), .init(edge.to), .init(String(edge.count)),
                .init(DurationFormat.string(edge.p50Nanos)), .init(DurationFormat.string(edge.p95Nanos)),
            ])
        }
        let noun = map.flows == 1 ? "flow" : "flows"
        let lines =
            nodes.render(palette: palette) + [""] + edges.render(palette: palette)
            + ["", "\(map.flows) \(noun), \(map.nodes.count) types, \(map.edges.count) transitions"]
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Renders variants as `choreo flows variants` prints them.
public struct VariantTableRenderer: Sendable {
    public var palette: Palette

    /// A renderer that colours with `palette`.
    public init(palette: Palette = .plain) { self.palette = palette }

    /// A table of count, share, example and path, then a count line.
    public func render(_ report: VariantReport) -> String {
        guard !report.variants.isEmpty else { return "no flows match\n" }
        var table = TextTable(headers: ["COUNT", "SHARE", "EXAMPLE", "PATH"], alignments: [.right, .right, .left, .left])
        for variant in report.variants {
            let percent = (variant.share * 1000).rounded() / 10
            table.append([
                .init(String(variant.count)), .init("\(percent)%"), .init(variant.example, .dim),
                .init(variant.types.joined(separator: " → ")),
            ])
        }
        let lines = table.render(palette: palette) + ["", "\(report.variants.count) variants shown of \(report.flows) flows"]
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Renders trace search results as `choreo traces search` prints them.
public struct TraceTableRenderer: Sendable {
    public var palette: Palette

    /// A renderer that colours with `palette`.
    public init(palette: Palette = .plain) { self.palette = palette }

    /// A table of traces, newest first, then a count line.
    public func render(_ traces: [TraceSummary]) -> String {
        guard !traces.isEmpty else { return "no traces match\n" }
        var table = TextTable(
            headers: ["TRACE ID", "ROOT", "SERVICE", "STARTED", "DURATION", "SPANS", "ERR", "FLOWS"],
            alignments: [.left, .left, .left, .left, .right, .right, .right, .left]
        )
        for trace in traces {
            table.append([
                .init(trace.traceID.hex), .init(trace.rootName, .bold), .init(trace.service),
                .init(UnixTime.rfc3339(trace.startTimeUnixNano)), .init(DurationFormat.string(trace.durationNanos)),
                .init(String(trace.spanCount)), .init(String(trace.errorCount), trace.errorCount > 0 ? .red : nil),
                .init(trace.correlationIDs.isEmpty ? "-" : trace.correlationIDs.joined(separator: ",")),
            ])
        }
        let noun = traces.count == 1 ? "trace" : "traces"
        return (table.render(palette: palette) + ["", "\(traces.count) \(noun)"]).joined(separator: "\n") + "\n"
    }
}
