import ChoreoModel
import ChoreoStore
import Foundation
import PostgresNIO
import Testing

@testable import ChoreoPostgresStore

// The shared store suites (SpanStoreContractTests.swift, FlowIndexStoreTests.swift) are the
// files of Tests/ChoreoStoreTests, linked here: the same checks run against PostgreSQL, through
// this target's `StoreKind`. `Spans` and `TemporaryDirectory` are kept as the ChoreoStoreTests
// fixtures define them.

/// The test database: `CHOREO_TEST_POSTGRES_URL`, set by `eval "$(scripts/pg-test-cluster.sh start)"`.
enum TestDatabase {
    static let url = ProcessInfo.processInfo.environment["CHOREO_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// Why the PostgreSQL store tests are skipped, shown in the test log.
    static let skipReason: Comment = """
        skipped: CHOREO_TEST_POSTGRES_URL is not set; start a throwaway cluster with \
        `eval "$(scripts/pg-test-cluster.sh start)"` (scripts/test.sh does) to run the PostgreSQL span store tests
        """

    /// A fresh schema name, so tests running in parallel never share tables.
    static func freshSchema() -> String { "store_\(UInt32.random(in: 0...UInt32.max))" }

    /// A configuration for a fresh schema (or `schema`) on the test database.
    static func configuration(schema: String = freshSchema()) throws -> PostgresStoreConfiguration {
        var configuration = try PostgresStoreConfiguration(url: try #require(url))
        configuration.schema = schema
        configuration.maximumConnections = 4
        configuration.applicationName = "choreo-test-\(schema)"
        return configuration
    }
}

/// A store under test and how to dispose of it.
struct StoreUnderTest {
    let store: any SpanStore
    let dispose: @Sendable () async -> Void
}

/// The implementations the shared suites run against in this target: PostgreSQL, when the
/// test database is given (else none; ``PostgresStoreSkipTests`` says why).
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case postgres

    static var allCases: [StoreKind] { TestDatabase.url == nil ? [] : [.postgres] }

    var description: String { rawValue }

    func make() throws -> StoreUnderTest {
        let running = try RunningStore(configuration: try TestDatabase.configuration())
        return StoreUnderTest(store: running.store) { await running.stop() }
    }
}

/// A store on its own schema with its ``PostgresSpanStore/run()`` task; ``stop()`` drops the
/// schema and ends the task.
final class RunningStore: Sendable {
    let store: PostgresSpanStore
    private let task: Task<Void, any Error>

    init(configuration: PostgresStoreConfiguration) throws {
        let store = try PostgresSpanStore(configuration: configuration)
        self.store = store
        task = Task { try await store.run() }
    }

    func stop() async {
        _ = try? await store.perform("dropping the test schema") { [store] in
            try await store.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(store.configuration.schema) CASCADE"))
        }
        task.cancel()
        _ = await task.result
    }
}

/// Runs `body` with a fresh PostgreSQL store, and drops its schema afterwards.
func withPostgresStore(_ body: (PostgresSpanStore) async throws -> Void) async throws {
    let running = try RunningStore(configuration: try TestDatabase.configuration())
    do {
        try await body(running.store)
    } catch {
        await running.stop()
        throw error
    }
    await running.stop()
}

@Suite("PostgreSQL span store: the shared suites", .enabled(if: TestDatabase.url != nil, TestDatabase.skipReason))
struct PostgresStoreSkipTests {
    @Test("the shared SpanStore and flow index suites run against PostgreSQL")
    func sharedSuitesRun() {
        #expect(StoreKind.allCases == [.postgres])
    }
}

/// A fresh directory under the system's temporary directory.
struct TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("choreo-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Spans for store tests (as in ChoreoStoreTests).
enum Spans {
    static let base: UInt64 = 1_700_000_000_000_000_000

    /// A consumer-style span of flow `correlationID` (none when nil) in trace `trace`.
    static func make(
        trace: UInt64, span: UInt64, correlationID: String? = "order-1", startMs: UInt64, service: String = "payment"
    ) -> SpanRecord {
        var attributes: [String: AttributeValue] = [
            MessagingKey.messageID: .string("m-\(span)"),
            MessagingKey.operationType: .string(MessagingOperation.process),
            ChoreoKey.eventType: .string("PaymentReceived"),
        ]
        if let correlationID { attributes[MessagingKey.conversationID] = .string(correlationID) }
        return SpanRecord(
            traceID: TraceID(high: 0xC0FFEE, low: trace), spanID: SpanID(span), name: "process payments",
            kind: .consumer, startTimeUnixNano: base + startMs * 1_000_000, endTimeUnixNano: base + (startMs + 2) * 1_000_000,
            attributes: attributes, serviceName: service
        )
    }

    /// A summary with the given identity, status and times (milliseconds from `base`).
    static func summary(
        _ id: String, _ status: FlowStatus, startedMs: UInt64, lastMs: UInt64, types: [String] = ["OrderPlaced", "PaymentReceived"],
        services: [String] = ["order", "payment"]
    ) -> FlowSummary {
        FlowSummary(
            correlationID: id, status: status, outcome: status == .completed ? "OrderCompleted" : nil,
            startedAtUnixNano: base + startedMs * 1_000_000, lastActivityAtUnixNano: base + lastMs * 1_000_000,
            stepCount: 3, compensationCount: status == .compensated ? 1 : 0, errorCount: status == .failed ? 2 : 0,
            waitingFor: status == .stuck ? "PaymentReceived" : nil,
            services: services, types: types
        )
    }
}
