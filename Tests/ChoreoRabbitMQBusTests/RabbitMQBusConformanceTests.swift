import ChoreoBusConformance
import ChoreoRabbitMQBus
import Testing

@Suite("Shared bus suite: RabbitMQ bus", .serialized, .enabled(if: TestBroker.url != nil, TestBroker.skipReason), .timeLimit(.minutes(5)))
struct RabbitMQBusConformanceTests {
    @Test("the RabbitMQ bus passes the shared bus check", arguments: BusConformance<RabbitMQFixture>.checks)
    func conformance(_ check: String) async throws {
        try await BusConformance(RabbitMQFixture()).run(check)
    }
}
