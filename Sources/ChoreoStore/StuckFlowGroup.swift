import ChoreoModel

/// The stuck flows that wait for one message type: how many, and since when the quietest of
/// them made no progress. What the collector's stuck-flow gauges report.
public struct StuckFlowGroup: Sendable, Hashable {
    /// The awaited message type (nil: the flow's summary names none).
    public var waitingFor: String?
    /// Stuck flows waiting for it.
    public var count: Int
    /// The earliest last activity among them (Unix nanoseconds): the oldest stuck flow's.
    public var oldestLastActivityAtUnixNano: UInt64

    /// Creates a group.
    public init(waitingFor: String?, count: Int, oldestLastActivityAtUnixNano: UInt64) {
        self.waitingFor = waitingFor
        self.count = count
        self.oldestLastActivityAtUnixNano = oldestLastActivityAtUnixNano
    }

    /// Groups summaries of any status into the stuck ones' groups, ordered by awaited type
    /// (nil first): what every store's ``FlowIndexReader/stuckFlowGroups()`` answers.
    public static func grouping(_ summaries: some Sequence<FlowSummary>) -> [StuckFlowGroup] {
        var groups: [String?: StuckFlowGroup] = [:]
        for summary in summaries where summary.status == .stuck {
            var group =
                groups[summary.waitingFor]
                ?? StuckFlowGroup(waitingFor: summary.waitingFor, count: 0, oldestLastActivityAtUnixNano: .max)
            group.count += 1
            group.oldestLastActivityAtUnixNano = min(group.oldestLastActivityAtUnixNano, summary.lastActivityAtUnixNano)
            groups[summary.waitingFor] = group
        }
        return groups.values.sorted(by: ordered)
    }

    /// Ordered by awaited type, nil first.
    public static func ordered(_ one: StuckFlowGroup, _ other: StuckFlowGroup) -> Bool {
        switch (one.waitingFor, other.waitingFor) {
        case (nil, _): other.waitingFor != nil
        case (_, nil): false
        case (let a?, let b?): a < b
        }
    }
}

extension FlowIndexReader {
    /// Reads every stuck summary and groups them: correct for any store, but it decodes each
    /// stuck flow's summary. Stores answer with one grouped query instead.
    public func stuckFlowGroups() async throws -> [StuckFlowGroup] {
        StuckFlowGroup.grouping(try await flowSummaries(FlowQuery(statuses: [.stuck], limit: Int.max)))
    }
}
