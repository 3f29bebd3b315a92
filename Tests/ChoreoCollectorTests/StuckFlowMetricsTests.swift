import ChoreoCollector
import ChoreoModel
import ChoreoStore
import ChoreoTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@Suite("Collector alerting gauges")
struct StuckFlowMetricsTests {
    static let second: UInt64 = 1_000_000_000

    /// A collector over `store` whose clock is the returned `now` (Unix nanoseconds).
    static func harness(_ store: any SpanStore, startAt start: UInt64) -> (app: CollectorApp, now: Arc) {
        let now = Arc(start)
        var configuration = CollectorConfiguration()
        configuration.databasePath = "/nonexistent/choreo-\(UUID().uuidString).sqlite"
        let app = CollectorApp(configuration: configuration, store: store, logger: Logger(label: "test"), now: { now.value })
        return (app, now)
    }

    /// A settable clock shared with the app.
    final class Arc: Sendable {
        private let storage: Mutex<UInt64>
        init(_ value: UInt64) { storage = Mutex(value) }
        var value: UInt64 {
            get { storage.withLock { $0 } }
            set { storage.withLock { $0 = newValue } }
        }
    }

    static func scrape(_ app: CollectorApp) async throws -> Exposition {
        try await Application(router: app.makeRouter()).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { Exposition(String(buffer: $0.body)) }
        }
    }

    static func summary(_ id: String, _ status: FlowStatus, waitingFor: String?, lastActivity: UInt64) -> FlowSummary {
        FlowSummary(
            correlationID: id, status: status, outcome: nil, startedAtUnixNano: 1, lastActivityAtUnixNano: lastActivity, stepCount: 1,
            compensationCount: 0, errorCount: 0, waitingFor: waitingFor, services: [], types: []
        )
    }

    @Test("stuck flows per awaited type and the oldest one's age: counted at refresh, aged at scrape, series of types no longer awaited removed")
    func stuckFlowsByType() async throws {
        let store = InMemorySpanStore()
        let (app, now) = Self.harness(store, startAt: 100 * Self.second)
        try await store.upsertSummaries(
            [
                Self.summary("a", .stuck, waitingFor: "PaymentReceived", lastActivity: 40 * Self.second),
                Self.summary("b", .stuck, waitingFor: "PaymentReceived", lastActivity: 70 * Self.second),
                Self.summary("c", .stuck, waitingFor: "ItemsReserved", lastActivity: 60 * Self.second),
                Self.summary("d", .stuck, waitingFor: nil, lastActivity: 90 * Self.second),
                Self.summary("e", .completed, waitingFor: nil, lastActivity: 10 * Self.second),
                Self.summary("f", .inFlight, waitingFor: "ItemsReserved", lastActivity: 5 * Self.second),
            ], clearing: [])
        var metrics = try await Self.scrape(app)
        #expect(metrics["choreo_collector_oldest_stuck_flow_age_seconds"] == 0, "nothing counted yet")
        #expect(metrics.types["choreo_collector_oldest_stuck_flow_age_seconds"] == "gauge")

        try await app.flowCounter.refresh()
        metrics = try await Self.scrape(app)
        #expect(metrics["choreo_collector_stuck_flows{waiting_for=\"PaymentReceived\"}"] == 2)
        #expect(metrics["choreo_collector_stuck_flows{waiting_for=\"ItemsReserved\"}"] == 1)
        #expect(metrics["choreo_collector_stuck_flows{waiting_for=\"(none)\"}"] == 1)
        #expect(metrics["choreo_collector_flows{status=\"stuck\"}"] == 4)
        #expect(metrics["choreo_collector_oldest_stuck_flow_age_seconds"] == 60, "flow a, quiet since 40 s, at 100 s")
        #expect(metrics.help["choreo_collector_stuck_flows"]?.isEmpty == false)

        now.value = 130 * Self.second
        #expect(try await Self.scrape(app)["choreo_collector_oldest_stuck_flow_age_seconds"] == 90, "the age grows between recounts")

        // The payments arrive: those flows complete; their type's series goes, the age follows c.
        try await store.upsertSummaries(
            [
                Self.summary("a", .completed, waitingFor: nil, lastActivity: 125 * Self.second),
                Self.summary("b", .completed, waitingFor: nil, lastActivity: 125 * Self.second),
            ], clearing: [])
        try await app.flowCounter.refresh()
        metrics = try await Self.scrape(app)
        #expect(metrics.samples.keys.filter { $0.contains("PaymentReceived") }.isEmpty, "\(metrics.samples.keys.sorted())")
        #expect(metrics["choreo_collector_stuck_flows{waiting_for=\"ItemsReserved\"}"] == 1)
        #expect(metrics["choreo_collector_oldest_stuck_flow_age_seconds"] == 70)

        // Nothing stuck: no stuck series, age 0.
        try await store.upsertSummaries(
            [
                Self.summary("c", .completed, waitingFor: nil, lastActivity: 125 * Self.second),
                Self.summary("d", .failed, waitingFor: nil, lastActivity: 125 * Self.second),
            ], clearing: [])
        try await app.flowCounter.refresh()
        metrics = try await Self.scrape(app)
        #expect(metrics.samples.keys.filter { $0.hasPrefix("choreo_collector_stuck_flows") }.isEmpty)
        #expect(metrics["choreo_collector_oldest_stuck_flow_age_seconds"] == 0)
    }

    @Test("beyond 50 awaited types the fewest-stuck types are summed under (other)")
    func stuckTypeSeriesAreCapped() async throws {
        let store = InMemorySpanStore()
        let (app, _) = Self.harness(store, startAt: 100 * Self.second)
        var summaries: [FlowSummary] = []
        for type in 0..<60 {
            // Types 0..<50 have 2 stuck flows each, 50..<60 one each.
            for copy in 0..<(type < 50 ? 2 : 1) {
                summaries.append(Self.summary("t\(type)-\(copy)", .stuck, waitingFor: "Type\(type)", lastActivity: Self.second))
            }
        }
        try await store.upsertSummaries(summaries, clearing: [])
        try await app.flowCounter.refresh()
        let stuck = try await Self.scrape(app).samples.filter { $0.key.hasPrefix("choreo_collector_stuck_flows{") }
        #expect(stuck.count == CollectorMetrics.maxStuckTypeSeries + 1)
        #expect(stuck["choreo_collector_stuck_flows{waiting_for=\"(other)\"}"] == 10)
        #expect(stuck["choreo_collector_stuck_flows{waiting_for=\"Type7\"}"] == 2)
        #expect(stuck.values.reduce(0, +) == 110)
    }

    @Test("index lag: since start before the first index pass, then since the last pass began")
    func indexLag() async throws {
        let store = InMemorySpanStore()
        let (app, now) = Self.harness(store, startAt: 100 * Self.second)
        now.value = 112 * Self.second
        #expect(try await Self.scrape(app)["choreo_collector_index_lag_seconds"] == 12)
        try await app.indexer.catchUp()
        #expect(app.indexer.indexedAtUnixNano == 112 * Self.second)
        now.value = 115 * Self.second
        #expect(try await Self.scrape(app)["choreo_collector_index_lag_seconds"] == 3)
    }

    @Test("SQLite groups stuck flows as the in-memory store does (one GROUP BY)")
    func sqliteGroupsLikeMemory() async throws {
        let path = try Fixtures.temporaryPath("stuck-groups.sqlite")
        let sqlite = try SQLiteSpanStore(path: path)
        let memory = InMemorySpanStore()
        let summaries = [
            Self.summary("a", .stuck, waitingFor: "PaymentReceived", lastActivity: 40),
            Self.summary("b", .stuck, waitingFor: "PaymentReceived", lastActivity: 30),
            Self.summary("c", .stuck, waitingFor: nil, lastActivity: 20),
            Self.summary("d", .stuck, waitingFor: "ItemsReserved", lastActivity: 50),
            Self.summary("e", .inFlight, waitingFor: "ItemsReserved", lastActivity: 1),
            Self.summary("f", .failed, waitingFor: nil, lastActivity: 2),
        ]
        try await sqlite.upsertSummaries(summaries, clearing: [])
        try await memory.upsertSummaries(summaries, clearing: [])
        let expected = [
            StuckFlowGroup(waitingFor: nil, count: 1, oldestLastActivityAtUnixNano: 20),
            StuckFlowGroup(waitingFor: "ItemsReserved", count: 1, oldestLastActivityAtUnixNano: 50),
            StuckFlowGroup(waitingFor: "PaymentReceived", count: 2, oldestLastActivityAtUnixNano: 30),
        ]
        #expect(try await sqlite.stuckFlowGroups() == expected)
        #expect(try await memory.stuckFlowGroups() == expected)
        await sqlite.close()
    }
}
