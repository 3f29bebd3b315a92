import BusConformance
import ChoreoInstrumentation
import Synchronization
import Testing

/// The in-memory bus as a ``BusFixture``: one bus per fixture (the store is the bus itself).
///
/// A crash of a consumer is its handler failing without an acknowledgement (the suite's
/// handler throws ``SimulatedCrash``): the bus lives in the crashing process, so a real
/// process crash loses it altogether; what survives is the redelivery of unacknowledged work.
final class InMemoryFixture: BusFixture {
    let bus: InMemoryBus
    private let running = Mutex(false)

    init() throws {
        bus = try InMemoryBus(configuration: .init(maxAttempts: 4, initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(4)))
    }

    var maxAttempts: Int { bus.configuration.maxAttempts }

    func makeBus() async throws -> InMemoryBus { bus }

    func run(_ bus: InMemoryBus) async throws {
        let first = running.withLock { running in
            defer { running = true }
            return !running
        }
        if first {
            try await bus.run()
        } else {
            // The one bus runs already: a second "instance" only waits until stopped.
            try await Task.sleep(for: .seconds(86_400 * 365))
        }
    }

    func deadLetters(_ bus: InMemoryBus) async throws -> [DeadLetter] { bus.deadLetters }

    func pending(_ bus: InMemoryBus) async throws -> Int { bus.pendingDeliveries }

    func crash(_ bus: InMemoryBus) async throws {}
}

@Suite("Shared bus suite: in-memory bus", .timeLimit(.minutes(2)))
struct InMemoryBusConformanceTests {
    @Test("the in-memory bus passes the shared bus check", arguments: BusConformance<InMemoryFixture>.checks)
    func conformance(_ check: String) async throws {
        try await BusConformance(try InMemoryFixture()).run(check)
    }
}
