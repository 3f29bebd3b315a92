extension FlowDefinition {
    /// The deviations of a flow from this definition (see ``deviations(of:settled:)``).
    public func deviations(of flow: Flow) -> [FlowDeviation] {
        deviations(of: flow.steps, settled: flow.status != .inFlight && flow.status != .stuck)
    }

    /// The deviations of steps (in publish order, as the process map orders them) from this definition.
    ///
    /// - A type the definition does not know is `unexpected_type` (then skipped, so the
    ///   steps around it are checked as neighbours).
    /// - A first type outside ``startTypes`` is `wrong_order`.
    /// - Consecutive known types that are not an expected transition: when the definition leads
    ///   from the first to the second through other types, each such type is `wrong_order` if it
    ///   comes later in the flow, else `missing_step`; without such a path the second type is
    ///   `wrong_order`.
    /// - An expected transition slower than its `within` is `slow_transition`.
    /// - A settled flow whose last known type is not terminal misses the next step
    ///   (`missing_step`), when terminal types are declared.
    public func deviations(of steps: [FlowStep], settled: Bool) -> [FlowDeviation] {
        let known = knownTypes
        guard !known.isEmpty else { return [] }
        var out: [FlowDeviation] = []
        var sequence: [FlowStep] = []
        for step in steps {
            if known.contains(step.type) {
                sequence.append(step)
            } else {
                out.append(
                    FlowDeviation(
                        kind: .unexpectedType, type: step.type, messageID: step.messageID,
                        detail: "\(step.type) is not a type of the flow definition"))
            }
        }
        guard !transitions.isEmpty else { return out }
        var limits: [Pair: UInt64?] = [:]
        var successors: [String: [String]] = [:]
        for t in transitions {
            limits[Pair(t.from, t.to)] = t.withinNanos
            successors[t.from, default: []].append(t.to)
        }
        let starts = startTypes
        if let first = sequence.first, !starts.isEmpty, !starts.contains(first.type) {
            out.append(
                FlowDeviation(
                    kind: .wrongOrder, type: first.type, messageID: first.messageID,
                    detail: "the flow starts with \(first.type); expected \(starts.sorted().joined(separator: " or "))"))
        }
        for i in sequence.indices.dropFirst() {
            let a = sequence[i - 1]
            let b = sequence[i]
            if let limit = limits[Pair(a.type, b.type)] {
                let took = b.publishedAtUnixNano > a.publishedAtUnixNano ? b.publishedAtUnixNano - a.publishedAtUnixNano : 0
                if let limit, took > limit {
                    out.append(
                        FlowDeviation(
                            kind: .slowTransition, type: b.type, messageID: b.messageID,
                            detail: "\(a.type) → \(b.type) took \(took / 1_000_000) ms; expected within \(limit / 1_000_000) ms"))
                }
                continue
            }
            let later = Set(sequence[(i + 1)...].map(\.type))
            if let between = Self.path(from: a.type, to: b.type, successors: successors), !between.isEmpty {
                for type in between {
                    let kind: FlowDeviation.Kind = later.contains(type) ? .wrongOrder : .missingStep
                    let detail =
                        kind == .wrongOrder
                        ? "\(type) came after \(b.type); expected it between \(a.type) and \(b.type)"
                        : "expected \(type) between \(a.type) and \(b.type)"
                    out.append(FlowDeviation(kind: kind, type: type, messageID: nil, detail: detail))
                }
            } else {
                out.append(
                    FlowDeviation(
                        kind: .wrongOrder, type: b.type, messageID: b.messageID,
                        detail: "\(b.type) after \(a.type) is not an expected transition"))
            }
        }
        if settled, !terminal.isEmpty, let last = sequence.last, !terminal.contains(last.type) {
            let next = successors[last.type]?.sorted().joined(separator: " or ") ?? terminal.sorted().joined(separator: " or ")
            out.append(
                FlowDeviation(
                    kind: .missingStep, type: successors[last.type]?.sorted().first ?? terminal.sorted()[0],
                    messageID: nil, detail: "the flow ended after \(last.type); expected \(next)"))
        }
        return out
    }

    /// The types strictly between `from` and `to` on a shortest path of expected transitions.
    static func path(from: String, to: String, successors: [String: [String]]) -> [String]? {
        var previous: [String: String] = [from: from]
        var queue = [from]
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            for next in successors[node] ?? [] where previous[next] == nil {
                previous[next] = node
                if next == to {
                    var between: [String] = []
                    var cursor = node
                    while cursor != from {
                        between.append(cursor)
                        cursor = previous[cursor] ?? from
                    }
                    return between.reversed()
                }
                queue.append(next)
            }
        }
        return nil
    }

    private struct Pair: Hashable {
        var from: String, to: String
        init(_ from: String, _ to: String) {
            self.from = from
            self.to = to
        }
    }
}
