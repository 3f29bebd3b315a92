import ChoreoInstrumentation

/// What the shared bus test suite needs from one bus implementation.
///
/// A fixture stands for one backing store (for a durable bus: one database schema). Each
/// ``makeBus()`` returns a new bus instance on it — for a durable bus a second instance is a
/// second process; the in-memory bus has one instance per store, so it returns the same one.
public protocol BusFixture: Sendable {
    associatedtype Bus: MessageBus

    /// The attempts per delivery the fixture's buses are configured with (2 or more).
    var maxAttempts: Int { get }

    /// A bus instance on the fixture's store.
    func makeBus() async throws -> Bus

    /// Runs `bus` until the task is cancelled.
    func run(_ bus: Bus) async throws

    /// Every dead letter in the store.
    func deadLetters(_ bus: Bus) async throws -> [DeadLetter]

    /// Deliveries stored and not yet acknowledged or dead-lettered.
    func pending(_ bus: Bus) async throws -> Int

    /// Kills `bus`'s consumers while they handle deliveries, as a process crash does, without
    /// acknowledging anything. The bus must then hand those deliveries out again, to another
    /// consumer of the same group, with the same attempt number, while the killed handler is
    /// still blocked (a dead process never returns); when the suite later lets that handler
    /// throw ``SimulatedCrash``, the bus must ignore it (no retry, no dead letter). Each
    /// fixture says in its documentation what this proves for its bus.
    func crash(_ bus: Bus) async throws
}

/// Thrown, once it is released, by the suite's handler that ``BusFixture/crash(_:)`` killed.
public struct SimulatedCrash: Error, Sendable {
    public init() {}
}

/// A check of the shared suite failed: what was expected and what happened.
public struct ConformanceFailure: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// Creates a failure.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Throws a ``ConformanceFailure`` unless `condition` holds.
func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw ConformanceFailure(message()) }
}
