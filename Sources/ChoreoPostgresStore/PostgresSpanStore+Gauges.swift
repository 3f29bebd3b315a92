import ChoreoStore
import PostgresNIO

extension PostgresSpanStore {
    /// Stuck flows grouped by awaited type: one `GROUP BY` over the status index.
    public func stuckFlowGroups() async throws -> [StuckFlowGroup] {
        try await perform("grouping stuck flows") { [self] in
            let rows = try await query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT waiting_for, count(*), min(last_activity_ns) FROM \(table("flow_summaries"))
                        WHERE status = 'stuck' GROUP BY waiting_for
                        """, binds: PostgresBindings()))
            return try rows.map { row in
                let (waitingFor, count, oldest) = try row.decode((String?, Int64, Int64).self)
                return StuckFlowGroup(waitingFor: waitingFor, count: Int(count), oldestLastActivityAtUnixNano: UInt64(max(0, oldest)))
            }.sorted(by: StuckFlowGroup.ordered)
        }
    }
}
