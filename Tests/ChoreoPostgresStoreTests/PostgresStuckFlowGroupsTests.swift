import ChoreoModel
import ChoreoPostgresStore
import ChoreoStore
import Testing

@Suite("PostgreSQL span store: stuck flow groups", .enabled(if: TestDatabase.url != nil, TestDatabase.skipReason))
struct PostgresStuckFlowGroupsTests {
    static func summary(_ id: String, _ status: FlowStatus, waitingFor: String?, lastActivity: UInt64) -> FlowSummary {
        FlowSummary(
            correlationID: id, status: status, outcome: nil, startedAtUnixNano: 1, lastActivityAtUnixNano: lastActivity, stepCount: 1,
            compensationCount: 0, errorCount: 0, waitingFor: waitingFor, services: [], types: []
        )
    }

    @Test("one GROUP BY answers what grouping the summaries answers: count and oldest last activity per awaited type")
    func groupsLikeSummaries() async throws {
        try await withPostgresStore { store in
            let summaries = [
                Self.summary("a", .stuck, waitingFor: "PaymentReceived", lastActivity: 40),
                Self.summary("b", .stuck, waitingFor: "PaymentReceived", lastActivity: 30),
                Self.summary("c", .stuck, waitingFor: nil, lastActivity: 20),
                Self.summary("d", .stuck, waitingFor: "ItemsReserved", lastActivity: 50),
                Self.summary("e", .inFlight, waitingFor: "ItemsReserved", lastActivity: 1),
                Self.summary("f", .failed, waitingFor: nil, lastActivity: 2),
            ]
            try await store.upsertSummaries(summaries, clearing: [])
            let expected = [
                StuckFlowGroup(waitingFor: nil, count: 1, oldestLastActivityAtUnixNano: 20),
                StuckFlowGroup(waitingFor: "ItemsReserved", count: 1, oldestLastActivityAtUnixNano: 50),
                StuckFlowGroup(waitingFor: "PaymentReceived", count: 2, oldestLastActivityAtUnixNano: 30),
            ]
            #expect(try await store.stuckFlowGroups() == expected)
            #expect(StuckFlowGroup.grouping(summaries) == expected)
        }
    }
}
