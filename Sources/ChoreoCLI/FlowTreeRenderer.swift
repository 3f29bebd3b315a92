import ChoreoFlows
import ChoreoModel

/// Renders one flow as `choreo flows show` prints it: a header, then the steps as a causation tree.
///
/// A step appears under the message whose handling published it; steps whose cause is unknown
/// (the first message, or a cause whose spans never arrived) start a tree of their own. Each
/// step shows its type, message id, publisher and offset from the flow's start, a
/// `↺ compensates <type> (<id>)` mark on compensations, and one line per consumer delivery
/// (consumer, outcome, attempts, error). Pure: takes a model, returns text.
///
/// Huge flows stay readable: long runs of plain steps of one type fold into one
/// `… N more TYPE (show with --expand)` line, the header counts traces instead of listing
/// thousands, and ``page`` shows a slice of the steps (tree order).
///
/// Times are corrected for clock skew (docs/clock-skew.md): a step or delivery whose time was
/// moved says by how much (`clock −1.499s`, `~` when the correction rests on thin evidence).
/// With ``rawTimes`` every time, offset and queue time is shown as recorded instead.
public struct FlowTreeRenderer: Sendable {
    /// Which steps to show, by position in tree order (the order they are printed).
    public struct Page: Sendable, Equatable {
        /// The position of the first step shown (0-based).
        public var from: Int
        /// How many steps to show at most; nil for all.
        public var limit: Int?

        /// A page of `limit` steps from position `from`.
        public init(from: Int = 0, limit: Int? = nil) {
            self.from = max(0, from)
            self.limit = limit.map { max(0, $0) }
        }
    }

    /// Colours (off unless stdout is a terminal).
    public var palette: Palette
    /// Show every step instead of folding long runs.
    public var expand: Bool
    /// The steps to show.
    public var page: Page
    /// Show times as recorded (not corrected for clock skew).
    public var rawTimes: Bool

    /// Runs of more steps than this fold (their first and last stay visible).
    static let foldRunsLongerThan = 3
    /// Trace ids listed in the header at most; beyond, only their count.
    static let listedTraces = 5
    /// Indentation restarts every this many levels (a causation chain may be 100,000 deep).
    static let maxIndentLevels = 32

    var foldRunsLongerThan: Int { Self.foldRunsLongerThan }

    /// A renderer that colours with `palette`.
    public init(palette: Palette = .plain, expand: Bool = false, page: Page = Page(), rawTimes: Bool = false) {
        self.rawTimes = rawTimes
        self.palette = palette
        self.expand = expand
        self.page = page
    }

    /// The header and step tree, newline-terminated.
    public func render(_ flow: Flow) -> String {
        let flow = Self.inPublishOrder(flow)
        let outline = FlowOutline(flow)
        return render(FlowPage(flow: flow), outline: outline, layout: layout(outline)) { flow.steps[$0] }
    }

    /// The header and step tree of a flow known by a page (its header, findings and first trace
    /// ids: ``listedTraces`` are enough) and its outline, newline-terminated: `layout` is
    /// ``layout(_:)`` of the outline and `step` gives the details of each step it shows (by
    /// index, publish order). The same text as ``render(_:)`` of the whole flow.
    public func render(_ page: FlowPage, outline: FlowOutline, layout: Layout, step: (Int) -> FlowStep) -> String {
        var lines = header(page.flow, traceCount: page.totalTraces, outline: outline)
        lines.append("")
        if outline.steps.isEmpty {
            lines.append("no steps recorded")
        } else {
            lines += self.lines(layout, outline: outline, started: started(page.flow), step: step)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The trace ids when there are few, else their count and the first few (`ids` holds at
    /// least the first ``listedTraces`` of the `total`).
    func traces(_ ids: [TraceID], total: Int) -> String {
        if total == 0 { return "-" }
        if total <= Self.listedTraces { return ids.prefix(total).map(\.hex).joined(separator: ", ") }
        return "\(total.grouped) (" + ids.prefix(Self.listedTraces).map(\.hex).joined(separator: ", ") + ", …; all with --json)"
    }

    /// The header block: correlation id, status, outcome, traces, times, what it waits for.
    func header(_ flow: Flow, traceCount: Int, outline: FlowOutline) -> [String] {
        var rows: [(String, String)] = [
            ("status", palette.status(flow.status)),
            ("outcome", flow.outcome ?? "-"),
            ("traces", traces(flow.traceIDs, total: traceCount)),
            ("started", UnixTime.rfc3339(started(flow))),
            (
                "ended",
                UnixTime.rfc3339(ended(flow))
                    + "  (" + DurationFormat.between(started(flow), ended(flow)) + ")"
            ),
            ("waiting for", flow.waitingFor ?? "-"),
        ]
        if let clocks = clockSummary(outline) { rows.append(("clocks", clocks)) }
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
