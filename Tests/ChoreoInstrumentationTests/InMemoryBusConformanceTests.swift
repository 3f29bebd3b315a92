import ChoreoBusConformance
import ChoreoInstrumentation
import Synchronization
import Testing

/// The in-memory bus as a ``BusFixture``: one bus per fixture (the store is the bus itself).
///
/// Crash: ``InMemoryBus/crashConsumers(group:)`` kills every consumer of the bus while its
/// handler runs. What the crash check proves for this bus: a consumer that dies mid-handling
/// (a service torn down inside the process, the bus living on) loses no message — the
/// delivery it held goes, as the same attempt, to the group's next consumer while the dead
/// handler is still blocked, and what that handler does afterwards settles nothing. It proves
/// nothing about a crash of the process itself: the bus lives in process memory and dies with
/// it, messages and all (use the PostgreSQL bus for that).
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

    func crash(_ bus: InMemoryBus) async throws {
        guard bus.crashConsumers() > 0 else { throw ConformanceFailure("the crash found no delivery being handled") }
    }
}

@Suite("Shared bus suite: in-memory bus", .timeLimit(.minutes(2)))
struct InMemoryBusConformanceTests {
    @Test("the in-memory bus passes the shared bus check", arguments: BusConformance<InMemoryFixture>.checks)
    func conformance(_ check: String) async throws {
        try await BusConformance(try InMemoryFixture()).run(check)
    }
}
