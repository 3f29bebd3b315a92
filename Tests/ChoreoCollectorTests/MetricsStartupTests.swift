import ChoreoCollector
import ChoreoModel
import ChoreoOTLP
import ChoreoStore
import ChoreoTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("Collector metrics at start")
struct MetricsStartupTests {
    /// Every series a dashboard graphs, by exact name.
    static let series: [String] =
        [
            "choreo_collector_spans_ingested_total",
            "choreo_collector_commits_total",
            "choreo_collector_commit_duration_seconds_count",
            "choreo_collector_ingest_queue_depth",
            "choreo_collector_store_size_bytes",
            "choreo_collector_truncated_attributes_total",
            "choreo_collector_retention_deleted_spans_total",
            "choreo_collector_retention_deleted_flows_total",
        ] + RejectionCounters.Reason.allCases.map { "choreo_collector_rejected_total{reason=\"\($0.rawValue)\"}" }
        + FlowStatus.allCases.map { "choreo_collector_flows{status=\"\($0.rawValue)\"}" }

    @Test("right after start every metric is exposed at zero, with HELP and TYPE")
    func zeroAtStart() async throws {
        let harness = IngestHarness()
        let exposition = try await harness.application.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { Exposition(String(buffer: $0.body)) }
        }
        for series in Self.series {
            #expect(exposition[series] == 0, "\(series) is exposed at zero")
            let name = String(series.prefix { $0 != "{" }).replacingOccurrences(of: "_count", with: "")
            #expect(exposition.help[name]?.isEmpty == false, "\(name) has HELP")
            #expect(exposition.types[name] != nil, "\(name) has TYPE")
        }
        #expect(exposition.types["choreo_collector_flows"] == "gauge")
        #expect(exposition.types["choreo_collector_retention_deleted_spans_total"] == "counter")
    }

    @Test("flows by status follow the index after a refresh")
    func flowsByStatus() async throws {
        let store = InMemorySpanStore()
        let harness = IngestHarness(store: store)
        let summary = { (id: String, status: FlowStatus) in
            FlowSummary(
                correlationID: id, status: status, outcome: nil, startedAtUnixNano: 1, lastActivityAtUnixNano: 2, stepCount: 1,
                compensationCount: 0, errorCount: 0, waitingFor: nil, services: [], types: []
            )
        }
        try await store.upsertSummaries([summary("a", .stuck), summary("b", .stuck), summary("c", .completed)], clearing: [])
        let counts = try await harness.app.flowCounter.refresh()
        #expect(counts == [.stuck: 2, .completed: 1])
        let exposition = try await harness.application.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { Exposition(String(buffer: $0.body)) }
        }
        #expect(exposition["choreo_collector_flows{status=\"stuck\"}"] == 2)
        #expect(exposition["choreo_collector_flows{status=\"completed\"}"] == 1)
        #expect(exposition["choreo_collector_flows{status=\"failed\"}"] == 0)
    }

    @Test("on SQLite the counter counts the indexed flows")
    func sqliteCounts() async throws {
        let path = try Fixtures.temporaryPath("counts.sqlite")
        let store = try SQLiteSpanStore(path: path)
        let harness = IngestHarness(store: store) { $0.databasePath = path }
        try await harness.application.test(.router) { client in
            let answer = try await client.ingest(try OTLPProtobuf.encodeRequest(Fixtures.compensatedOrder("o-1", trace: TraceID(high: 9, low: 9))))
            #expect(answer.status == .ok)
        }
        try await harness.app.indexer.catchUp()
        #expect(try await harness.app.flowCounter.refresh() == [.compensated: 1])
        await store.close()
    }
}
