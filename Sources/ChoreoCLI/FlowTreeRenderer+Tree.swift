import ChoreoFlows
import ChoreoModel

extension FlowTreeRenderer {
    // The steps as a forest by causation, in publish order at every level (``layout(_:)``).
    //
    // The walk keeps its own stack (a causation chain may be 100,000 deep; recursion would
    // overflow the thread's stack). Unless ``expand`` is set, a run of plain steps of one type
    // (a chain of only children, or consecutive leaf siblings) longer than ``foldRunsLongerThan``
    // shows its first and last step around one `… N more TYPE` line; a plain step has no
    // failed, retried or dead-lettered delivery, is no compensation and was consumed
    // (``FlowOutline/Flags/isPlain``). Indentation restarts every ``maxIndentLevels`` levels, so
    // line length stays bounded. Only the steps at positions `from ..< from + limit` of the walk
    // (tree order) are shown.

    /// `flow` with its steps in publish order (FlowBuilder sorts them; a flow decoded from
    /// elsewhere may not be), so index order is publish order for ``layout(_:)``.
    static func inPublishOrder(_ flow: Flow) -> Flow {
        let steps = flow.steps
        guard zip(steps, steps.dropFirst()).contains(where: { $0.publishedAtUnixNano > $1.publishedAtUnixNano }) else { return flow }
        var sorted = flow
        sorted.steps = steps.indices.sorted { (steps[$0].publishedAtUnixNano, $0) < (steps[$1].publishedAtUnixNano, $1) }.map { steps[$0] }
        return sorted
    }

    /// What the tree shows, from the flow's outline alone: its rows in order (a step, or a line
    /// of text such as `… N more TYPE`), so a client can ask for only the steps it shows.
    public struct Layout: Sendable, Equatable {
        enum Row: Sendable, Equatable {
            case text(String)
            case step(index: Int, prefix: String, branch: String, hasKids: Bool)
        }
        var rows: [Row]

        /// The indexes of the steps shown, in the order they are printed.
        public var shownSteps: [Int] {
            var shown: [Int] = []
            for case .step(let index, _, _, _) in rows { shown.append(index) }
            return shown
        }
    }

    /// Lays out the causation tree of a flow whose steps are in publish order.
    public func layout(_ outline: FlowOutline) -> Layout {
        let count = outline.steps.count
        var children: [[Int]] = Array(repeating: [], count: count)
        var roots: [Int] = []
        for (i, step) in outline.steps.enumerated() {
            if step.cause >= 0, step.cause != i {
                children[step.cause].append(i)
            } else {
                roots.append(i)
            }
        }
        var walk = Walk(outline: outline, children: children, renderer: self)
        walk.run(roots)
        // Steps caught in a causation cycle are reachable from no root; show them anyway.
        for i in 0..<count where !walk.visited[i] {
            walk.run([i])
        }
        walk.flushFold()
        if walk.position > page.upperBound(count) {
            walk.rows.append(
                .text(palette.paint("… \(walk.position - page.upperBound(count)) more steps (show with --from \(page.upperBound(count)))", .dim)))
        }
        return Layout(rows: walk.rows)
    }

    /// The layout's lines, with each shown step's details from `step` (given its index).
    func lines(_ layout: Layout, outline: FlowOutline, started: UInt64, step: (Int) -> FlowStep) -> [String] {
        var lines: [String] = []
        for row in layout.rows {
            switch row {
            case .text(let text): lines.append(text)
            case .step(let index, let prefix, let branch, let hasKids):
                let details = step(index)
                lines.append(prefix + branch + stepLine(details, index: index, outline: outline, started: started))
                let detailPrefix = prefix + (branch.isEmpty ? "" : branch == "└─ " ? "   " : "│  ") + (hasKids ? "│  " : "   ")
                for delivery in details.deliveries {
                    lines.append(detailPrefix + deliveryLine(delivery, of: details))
                }
            }
        }
        return lines
    }

    /// The first line of a step: type, id, publisher, offset, cause if unseen, compensation mark.
    func stepLine(_ step: FlowStep, index: Int, outline: FlowOutline, started: UInt64) -> String {
        var line = palette.paint(step.type, .bold) + " (\(step.messageID)) from \(step.source)"
        line += "  " + palette.paint("+" + DurationFormat.between(started, publishedAt(step)), .dim)
        if let mark = clockMark(adjustedByNanos: step.adjustedByNanos, uncertain: step.timeUncertain) { line += "  " + palette.paint(mark, .dim) }
        if let cause = step.causationID, outline.steps[index].cause < 0 {
            line += "  " + palette.paint("caused by \(cause) (not seen)", .dim)
        }
        if let target = step.compensates {
            let mark: String
            let undone = outline.steps[index].compensates
            if undone >= 0 {
                mark = "↺ compensates \(outline.type(of: undone)) (\(target))"
            } else {
                mark = "↺ compensates \(target) (not seen)"
            }
            line += "  " + palette.paint(mark, .yellow)
        }
        return line
    }

    /// One line per delivery: symbol, consumer, outcome, attempts (how many failed, queue time
    /// from publish to the first processing start and the latest attempt's run time), how far
    /// the consumer's clock was adjusted, error.
    func deliveryLine(_ delivery: FlowDelivery, of step: FlowStep) -> String {
        let symbol: String
        switch delivery.outcome {
        case .handled: symbol = "✓"
        case .retry: symbol = "↻"
        case .deadLettered: symbol = "✗"
        case .duplicateIgnored: symbol = "≡"
        }
        let color = Palette.color(for: delivery.outcome)
        var attempts = delivery.attempts == 1 ? "1 attempt" : "\(delivery.attempts) attempts"
        if delivery.failedAttempts > 0 { attempts += ", \(delivery.failedAttempts) failed" }
        if let queued = queueTime(delivery, of: step) {
            attempts += ", queued " + queued + ", ran " + DurationFormat.string(delivery.handlingTimeNanos)
        }
        var line =
            palette.paint(symbol, color) + " \(delivery.consumer): "
            + palette.paint(delivery.outcome.rawValue, color) + " (\(attempts))"
        if let mark = clockMark(adjustedByNanos: delivery.adjustedByNanos, uncertain: delivery.timeUncertain) {
            line += "  " + palette.paint(mark, .dim)
        }
        if let error = delivery.error, !error.isEmpty {
            line += " " + palette.paint("error: \(error)", .red)
        }
        return line
    }

}

extension FlowTreeRenderer.Page {
    /// The end of the page (exclusive) for a flow of `count` steps.
    func upperBound(_ count: Int) -> Int {
        guard let limit else { return max(count, from) }
        let (end, overflow) = from.addingReportingOverflow(limit)
        return overflow ? Int.max : end
    }
}

/// The depth-first walk that lays out the causation tree with box-drawing connectors, with an
/// explicit stack.
private struct Walk {
    let outline: FlowOutline
    let children: [[Int]]
    let renderer: FlowTreeRenderer
    let range: Range<Int>
    var visited: [Bool]
    /// Steps that belong to a run already measured.
    var inRun: [Bool]
    /// Steps hidden behind a `… N more` line (a run's steps between its first and last).
    var folded: [Bool]
    var rows: [FlowTreeRenderer.Layout.Row] = []
    /// Steps walked so far, shown or not (the position of the next one in tree order).
    var position = 0
    /// The folded run in progress: its type, how many steps are hidden, and where its line goes.
    var fold: (type: String, count: Int, prefix: String, isRoot: Bool)?

    /// One step waiting to be laid out.
    struct Frame {
        var index: Int
        var prefix: String
        /// nil for a root, else whether it is its parent's last child.
        var isLast: Bool?
        var depth: Int
    }

    init(outline: FlowOutline, children: [[Int]], renderer: FlowTreeRenderer) {
        self.outline = outline
        self.children = children
        self.renderer = renderer
        let count = outline.steps.count
        self.range = renderer.page.from..<max(renderer.page.from, renderer.page.upperBound(count))
        self.visited = Array(repeating: false, count: count)
        self.inRun = Array(repeating: false, count: count)
        self.folded = Array(repeating: false, count: count)
    }

    /// Lays out the trees under `roots`, in order.
    mutating func run(_ roots: [Int]) {
        var stack: [Frame] = roots.reversed().map { Frame(index: $0, prefix: "", isLast: nil, depth: 0) }
        while let frame = stack.popLast() {
            guard !visited[frame.index] else { continue }
            visited[frame.index] = true
            let kids = children[frame.index].filter { !visited[$0] }
            let type = outline.type(of: frame.index)
            let shown = range.contains(position)
            position += 1
            if !renderer.expand { measureRuns(from: frame.index, kids: kids) }

            if folded[frame.index] {
                if shown {
                    if fold == nil { fold = (type, 0, frame.prefix, frame.isLast == nil) }
                    fold?.count += 1
                }
                // A folded link of a chain hands its place to its only child.
                if kids.count == 1, folded[kids[0]] || inRun[kids[0]] {
                    stack.append(Frame(index: kids[0], prefix: frame.prefix, isLast: frame.isLast, depth: frame.depth))
                    continue
                }
            } else if shown {
                flushFold()
                rows.append(.step(index: frame.index, prefix: frame.prefix, branch: frame.isLast.map { $0 ? "└─ " : "├─ " } ?? "", hasKids: !kids.isEmpty))
            }

            var childPrefix = frame.prefix + (frame.isLast.map { $0 ? "   " : "│  " } ?? "")
            var childDepth = frame.depth + 1
            if !kids.isEmpty, childDepth % FlowTreeRenderer.maxIndentLevels == 0 {
                if range.contains(position) {
                    flushFold()
                    rows.append(.text(renderer.palette.paint("⤷ depth \(childDepth): indentation restarts", .dim)))
                }
                childPrefix = ""
                childDepth = 0
            }
            for (n, kid) in kids.enumerated().reversed() {
                stack.append(Frame(index: kid, prefix: childPrefix, isLast: n == kids.count - 1, depth: childDepth))
            }
        }
    }

    /// Finds the runs that start at step `i` or among its children `kids`, once each, and marks
    /// their middle steps folded: a chain of plain only children of one type below a plain `i`,
    /// and consecutive plain leaf children of one type. Each step is measured once: O(steps).
    mutating func measureRuns(from i: Int, kids: [Int]) {
        let minimum = renderer.foldRunsLongerThan
        let step = outline.steps[i]
        if !inRun[i], kids.count == 1, step.flags.isPlain {
            var chain = [i]
            var cursor = i
            while children[cursor].count == 1 {
                let next = children[cursor][0]
                guard !visited[next], !inRun[next], outline.steps[next].type == step.type, outline.steps[next].flags.isPlain else { break }
                chain.append(next)
                cursor = next
            }
            if chain.count > minimum {
                for j in chain { inRun[j] = true }
                for j in chain.dropFirst().dropLast() { folded[j] = true }
            }
        }
        guard kids.count > minimum else { return }
        var start = 0
        while start < kids.count {
            var end = start
            let first = outline.steps[kids[start]]
            if children[kids[start]].isEmpty, first.flags.isPlain {
                while end + 1 < kids.count, children[kids[end + 1]].isEmpty, outline.steps[kids[end + 1]].type == first.type,
                    outline.steps[kids[end + 1]].flags.isPlain
                {
                    end += 1
                }
            }
            if end - start + 1 > minimum {
                for j in kids[start...end] { inRun[j] = true }
                for j in kids[(start + 1)..<end] { folded[j] = true }
            }
            start = end + 1
        }
    }

    /// Writes the `… N more TYPE` line of the run in progress, if any.
    mutating func flushFold() {
        guard let run = fold else { return }
        fold = nil
        rows.append(
            .text(
                run.prefix + (run.isRoot ? "" : "├─ ")
                    + renderer.palette.paint("… \(run.count.grouped) more \(run.type) (show with --expand)", .dim)))
    }
}

extension Int {
    /// The number with thousands separated by commas: `19,997`.
    var grouped: String {
        let digits = String(magnitude)
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (self < 0 ? "-" : "") + out
    }
}
