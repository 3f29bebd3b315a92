import ChoreoBusConformance
import ChoreoNATSBus
import Testing

@Suite("Shared bus suite: NATS JetStream bus", .serialized, .enabled(if: TestServer.url != nil, TestServer.skipReason), .timeLimit(.minutes(5)))
struct NATSBusConformanceTests {
    @Test("the NATS bus passes the shared bus check", arguments: BusConformance<NATSFixture>.checks)
    func conformance(_ check: String) async throws {
        try await BusConformance(NATSFixture()).run(check)
    }
}
