import ChoreoModel

extension SQLiteReader {
    /// Stuck flows grouped by awaited type: one `GROUP BY` over the status index.
    func stuckFlowGroups() throws -> [StuckFlowGroup] {
        let statement = try db.cached(
            "SELECT waiting_for, count(*), min(last_activity_ns) FROM flow_summaries WHERE status = 'stuck' GROUP BY waiting_for"
        )
        defer { statement.reset() }
        var groups: [StuckFlowGroup] = []
        while try statement.step() {
            groups.append(
                StuckFlowGroup(
                    waitingFor: statement.text(0), count: Int(statement.int64(1)),
                    oldestLastActivityAtUnixNano: UInt64(max(0, statement.int64(2)))
                )
            )
        }
        return groups.sorted(by: StuckFlowGroup.ordered)
    }
}
