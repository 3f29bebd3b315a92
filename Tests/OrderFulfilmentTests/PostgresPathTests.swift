import ChoreoInstrumentation
import ChoreoModel
import ChoreoPostgresBus
import Foundation
import OrderFulfilment
import Testing

/// The test database: `CHOREO_TEST_POSTGRES_URL`, set by `eval "$(scripts/pg-test-cluster.sh start)"`.
enum PostgresTestDatabase {
    static let url = ProcessInfo.processInfo.environment["CHOREO_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    static let skipReason: Comment = """
        skipped: CHOREO_TEST_POSTGRES_URL is not set; start a throwaway cluster with \
        `eval "$(scripts/pg-test-cluster.sh start)"` (CI's .ci/run does) to run the PostgreSQL paths
        """

    /// Runs `plans` with every service in this process on a fresh schema of the test database.
    static func run(_ plans: [OrderPlan], style: ChoreographyStyle, faults: FaultSettings = .none) async throws -> Truth {
        var configuration = try PostgresBus.Configuration(url: try #require(url))
        configuration.schema = "paths_\(UInt32.random(in: 0...UInt32.max))"
        configuration.initialBackoff = .milliseconds(5)
        configuration.maxBackoff = .milliseconds(40)
        configuration.pollInterval = .milliseconds(50)
        let bus = try PostgresBus(configuration: configuration)
        let system = OrderFulfilmentSystem(configuration: .init(style: style, faults: faults, dayLength: .seconds(2)))
        return try await withThrowingTaskGroup(of: Truth?.self) { group in
            group.addTask {
                try await bus.run()
                return nil
            }
            group.addTask { try await system.run(on: bus, plans: plans, concurrency: plans.count) }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }
}

@Suite("Paths on the PostgreSQL bus", .enabled(if: PostgresTestDatabase.url != nil, PostgresTestDatabase.skipReason), .timeLimit(.minutes(5)))
struct PostgresPathTests {
    @Test("every path publishes its exact messages and ends in its state on the PostgreSQL bus", arguments: ChoreographyStyle.allCases)
    func paths(style: ChoreographyStyle) async throws {
        try await DurableBusPathChecks.paths({ try await PostgresTestDatabase.run($0, style: $1, faults: $2) }, style: style)
    }

    @Test("transient failures, duplicates and a poison message behave on the PostgreSQL bus as in memory")
    func faults() async throws {
        try await DurableBusPathChecks.faults { try await PostgresTestDatabase.run($0, style: $1, faults: $2) }
    }

    @Test("a missing subscriber leaves the flow stuck on the PostgreSQL bus too")
    func missingSubscriber() async throws {
        try await DurableBusPathChecks.missingSubscriber { try await PostgresTestDatabase.run($0, style: $1, faults: $2) }
    }
}
