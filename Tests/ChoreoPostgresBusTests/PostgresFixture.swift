import BusConformance
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
    /// idles while the handler runs), as the kernel closes it when the process dies.
    func crash(_ bus: PostgresBus) async throws {
        try await bus.execute(
            """
            SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity
            WHERE application_name = \(bus.configuration.applicationName) AND pid <> pg_backend_pid()
              AND state = 'idle in transaction'
            """
        )
    }
}
