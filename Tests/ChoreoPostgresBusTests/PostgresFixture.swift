import ChoreoBusConformance
import ChoreoInstrumentation
import ChoreoPostgresBus
import Foundation
import PostgresNIO
import Synchronization
import Testing

/// The test database: `CHOREO_TEST_POSTGRES_URL`, set by `eval "$(scripts/pg-test-cluster.sh start)"`.
enum TestDatabase {
    static let url = ProcessInfo.processInfo.environment["CHOREO_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// Why the PostgreSQL tests are skipped, shown in the test log.
    static let skipReason: Comment = """
        skipped: CHOREO_TEST_POSTGRES_URL is not set; start a throwaway cluster with \
        `eval "$(scripts/pg-test-cluster.sh start)"` (CI's .ci/run does) to run the PostgreSQL bus tests
        """

    /// A fresh schema name, so tests running in parallel never share tables.
    static func freshSchema(_ prefix: String) -> String {
        "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
    }

    /// A configuration for `schema` on the test database with fast retries.
    static func configuration(schema: String, application: String = "choreo-test") throws -> PostgresBus.Configuration {
        var configuration = try PostgresBus.Configuration(url: try #require(url))
        configuration.schema = schema
        configuration.maxAttempts = 4
        configuration.initialBackoff = .milliseconds(1)
        configuration.maxBackoff = .milliseconds(8)
        configuration.pollInterval = .milliseconds(50)
        configuration.maximumConnections = 12
        configuration.applicationName = application
        return configuration
    }
}

/// One schema of the test database; every bus instance made is a separate "process" on it.
///
/// Crash: the server terminates the consumer's connection while its handler runs, as it does
/// when the consumer's process dies. What the crash check proves for this bus: the claim's
/// transaction is the lease — the server aborts it, the row (same attempt number, nothing
/// acknowledged) is claimable again at once by another process of the group while the dead
/// handler is still blocked, and that handler's late failure changes nothing. The end-to-end
/// SIGKILL tests (Tests/EndToEndTests/SigKillEndToEndTests.swift) kill real processes.
final class PostgresFixture: BusFixture {
    let schema = TestDatabase.freshSchema("conformance")
    private let instances = Mutex(0)

    var maxAttempts: Int { 4 }

    func makeBus() async throws -> PostgresBus {
        let n = instances.withLock { n in
            n += 1
            return n
        }
        return try PostgresBus(configuration: try TestDatabase.configuration(schema: schema, application: "\(schema)-\(n)"))
    }

    func run(_ bus: PostgresBus) async throws { try await bus.run() }

    func deadLetters(_ bus: PostgresBus) async throws -> [DeadLetter] { try await bus.deadLetters() }

    func pending(_ bus: PostgresBus) async throws -> Int { try await bus.pendingDeliveries() }

    /// Terminates the connection of the instance's consumer that is handling (its transaction
    /// idles while the handler runs), as the kernel closes it when the process dies. Looks again
    /// until one was terminated (safety limit 10 s), so a crash that hit nothing fails here
    /// instead of passing later when the lease timeout frees the delivery.
    func crash(_ bus: PostgresBus) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while try await terminateHandlingConnections(bus) == 0 {
            guard clock.now < deadline else { throw ConformanceFailure("no connection of \(bus.configuration.applicationName) was handling a delivery") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Terminates the instance's connections that idle inside a transaction; how many.
    private func terminateHandlingConnections(_ bus: PostgresBus) async throws -> Int {
        let rows = try await bus.execute(
            """
            SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity
            WHERE application_name = \(bus.configuration.applicationName) AND pid <> pg_backend_pid()
              AND state = 'idle in transaction'
            """
        )
        return try rows.filter { try $0.decode(String.self) == "true" }.count
    }
}
