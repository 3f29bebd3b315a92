import ChoreoFlows
import ChoreoModel

extension FlowTreeRenderer {
    /// The steps as a forest by causation, in publish order at every level.
    func tree(_ flow: Flow) -> [String] {
        let steps = flow.steps
        var indexByID: [String: Int] = [:]
        for (i, step) in steps.enumerated() where indexByID[step.messageID] == nil {
            indexByID[step.messageID] = i
        }
        var children: [Int: [Int]] = [:]
        var roots: [Int] = []
        for (i, step) in steps.enumerated() {
            if let cause = step.causationID, let parent = indexByID[cause], parent != i {
                children[parent, default: []].append(i)
            } else {
                roots.append(i)
            }
        }
        let order: (Int, Int) -> Bool = { a, b in
            (steps[a].publishedAtUnixNano, a) < (steps[b].publishedAtUnixNano, b)
        }
        var walk = Walk(flow: flow, indexByID: indexByID, children: children.mapValues { $0.sorted(by: order) })
        for root in roots.sorted(by: order) {
            walk.visit(root, prefix: "", connector: nil, renderer: self)
        }
        // Steps caught in a causation cycle are reachable from no root; show them anyway.
        for i in steps.indices where !walk.visited.contains(i) {
            walk.visit(i, prefix: "", connector: nil, renderer: self)
        }
        return walk.lines
    }

    /// The first line of a step: type, id, publisher, offset, cause if unseen, compensation mark.
    func stepLine(_ step: FlowStep, in flow: Flow, indexByID: [String: Int]) -> String {
        var line = palette.paint(step.type, .bold) + " (\(step.messageID)) from \(step.source)"
        line += "  " + palette.paint("+" + DurationFormat.between(flow.startedAtUnixNano, step.publishedAtUnixNano), .dim)
        if let cause = step.causationID, indexByID[cause] == nil {
            line += "  " + palette.paint("caused by \(cause) (not seen)", .dim)
        }
        if let target = step.compensates {
            let mark: String
            if let index = indexByID[target] {
                mark = "↺ compensates \(flow.steps[index].type) (\(target))"
            } else {
                mark = "↺ compensates \(target) (not seen)"
            }
            line += "  " + palette.paint(mark, .yellow)
        }
        return line
    }

    /// One line per delivery: symbol, consumer, outcome, attempts (how many failed, queue time
    /// from publish to the first processing start and the latest attempt's run time), error.
    func deliveryLine(_ delivery: FlowDelivery) -> String {
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
        if let queued = delivery.queueTimeNanos {
            attempts += ", queued " + DurationFormat.string(queued) + ", ran " + DurationFormat.string(delivery.handlingTimeNanos)
        }
        var line =
            palette.paint(symbol, color) + " \(delivery.consumer): "
            + palette.paint(delivery.outcome.rawValue, color) + " (\(attempts))"
        if let error = delivery.error, !error.isEmpty {
            line += " " + palette.paint("error: \(error)", .red)
        }
        return line
    }
}

/// The depth-first walk that lays out the causation tree with box-drawing connectors.
private struct Walk {
    let flow: Flow
    let indexByID: [String: Int]
    let children: [Int: [Int]]
    var visited: Set<Int> = []
    var lines: [String] = []

    init(flow: Flow, indexByID: [String: Int], children: [Int: [Int]]) {
        self.flow = flow
        self.indexByID = indexByID
        self.children = children
    }

    /// Renders step `i` and its descendants; `connector` is nil for a root, else whether it is last.
    mutating func visit(_ i: Int, prefix: String, connector isLast: Bool?, renderer: FlowTreeRenderer) {
        guard visited.insert(i).inserted else { return }
        let step = flow.steps[i]
        let kids = (children[i] ?? []).filter { !visited.contains($0) }
        let branch = isLast.map { $0 ? "└─ " : "├─ " } ?? ""
        lines.append(prefix + branch + renderer.stepLine(step, in: flow, indexByID: indexByID))
        let childPrefix = prefix + (isLast.map { $0 ? "   " : "│  " } ?? "")
        let detailPrefix = childPrefix + (kids.isEmpty ? "   " : "│  ")
        for delivery in step.deliveries {
            lines.append(detailPrefix + renderer.deliveryLine(delivery))
        }
        for (n, kid) in kids.enumerated() {
            visit(kid, prefix: childPrefix, connector: n == kids.count - 1, renderer: renderer)
        }
    }
}
