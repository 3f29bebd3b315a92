import ChoreoBusConformance
import ChoreoPostgresBus
import Testing

@Suite("Shared bus suite: PostgreSQL bus", .serialized, .enabled(if: TestDatabase.url != nil, TestDatabase.skipReason), .timeLimit(.minutes(5)))
struct PostgresBusConformanceTests {
    @Test("the PostgreSQL bus passes the shared bus check", arguments: BusConformance<PostgresFixture>.checks)
    func conformance(_ check: String) async throws {
        try await BusConformance(PostgresFixture()).run(check)
    }
}
