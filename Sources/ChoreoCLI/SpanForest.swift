import ChoreoModel

/// Spans arranged by parent span id, laid out with box-drawing connectors.
///
/// Roots are spans without a parent and orphans (a parent id absent from the set); siblings are
/// ordered by start time, then span id. Each span is drawn once even if ids repeat or form a cycle.
struct SpanForest {
    let spans: [SpanRecord]
    private var children: [Int: [Int]] = [:]
    private var roots: [Int] = []

    init(spans: [SpanRecord]) {
        self.spans = spans
        var indexByID: [SpanID: Int] = [:]
        for (i, span) in spans.enumerated() where indexByID[span.spanID] == nil {
            indexByID[span.spanID] = i
        }
        for (i, span) in spans.enumerated() {
            if let parent = span.parentSpanID, let p = indexByID[parent], p != i {
                children[p, default: []].append(i)
            } else {
                roots.append(i)
            }
        }
        let order: (Int, Int) -> Bool = { a, b in
            (spans[a].startTimeUnixNano, spans[a].spanID, a) < (spans[b].startTimeUnixNano, spans[b].spanID, b)
        }
        roots.sort(by: order)
        children = children.mapValues { $0.sorted(by: order) }
    }

    /// The laid-out lines; `describe` gives a span's lines and receives the missing parent of an orphan.
    func lines(_ describe: (SpanRecord, SpanID?) -> [String]) -> [String] {
        var out: [String] = []
        var visited: Set<Int> = []
        func visit(_ i: Int, prefix: String, isLast: Bool?) {
            guard visited.insert(i).inserted else { return }
            let span = spans[i]
            let kids = (children[i] ?? []).filter { !visited.contains($0) }
            let orphanParent = isLast == nil ? span.parentSpanID : nil
            let described = describe(span, orphanParent)
            let branch = isLast.map { $0 ? "└─ " : "├─ " } ?? ""
            let childPrefix = prefix + (isLast.map { $0 ? "   " : "│  " } ?? "")
            let detailPrefix = childPrefix + (kids.isEmpty ? "   " : "│  ")
            for (n, line) in described.enumerated() {
                out.append((n == 0 ? prefix + branch : detailPrefix) + line)
            }
            for (n, kid) in kids.enumerated() {
                visit(kid, prefix: childPrefix, isLast: n == kids.count - 1)
            }
        }
        for root in roots { visit(root, prefix: "", isLast: nil) }
        for i in spans.indices where !visited.contains(i) { visit(i, prefix: "", isLast: nil) }
        return out
    }
}
