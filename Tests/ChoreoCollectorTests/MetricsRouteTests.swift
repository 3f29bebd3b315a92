import ChoreoTestSupport
import ChoreoCollector
import ChoreoModel
import ChoreoOTLP
import ChoreoStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Collector /metrics")
struct MetricsRouteTests {
    static let names = [
        "choreo_collector_spans_ingested_total", "choreo_collector_rejected_total", "choreo_collector_ingest_queue_depth",
        "choreo_collector_commit_duration_seconds", "choreo_collector_store_size_bytes", "choreo_collector_commits_total",
    ]

    func post(_ client: some TestClientProtocol, _ body: [UInt8], contentType: String = OTLPHTTP.protobufContentType) async throws -> HTTPResponse.Status {
        try await client.execute(uri: "/v1/traces", method: .post, headers: [.contentType: contentType], body: ByteBuffer(bytes: body)) { $0.status }
    }

    func scrape(_ client: some TestClientProtocol) async throws -> Exposition {
        try await client.execute(uri: "/metrics", method: .get) { response in
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            return Exposition(String(buffer: response.body))
        }
    }

    @Test("after ingest, every metric is exposed with the counts of what happened")
    func countsAfterIngest() async throws {
        let harness = Fixtures.collector()
        let first = Fixtures.compensatedOrder("order-m1", trace: TraceID(high: 1, low: 1))
        let second = Fixtures.compensatedOrder("order-m2", trace: TraceID(high: 2, low: 2))
        try await harness.application.test(.router) { client in
            #expect(try await post(client, try OTLPProtobuf.encodeRequest(first)) == .ok)
            #expect(try await post(client, try OTLPProtobuf.encodeRequest(second)) == .ok)
            #expect(try await post(client, [0xFF, 0xFF, 0xFF]) == .badRequest)
            var partial = Fixtures.compensatedOrder("order-m3", trace: TraceID(high: 3, low: 3))
            partial[0].traceID = TraceID(high: 0, low: 0)
            #expect(try await post(client, try OTLPJSON.encodeRequest(partial), contentType: "application/json") == .ok)

            let metrics = try await scrape(client)
            for name in Self.names {
                #expect(metrics.types[name] != nil, "\(name) is exposed")
                #expect(metrics.help[name]?.isEmpty == false, "\(name) has HELP")
            }
            let ingested = first.count + second.count + partial.count - 1
            #expect(metrics["choreo_collector_spans_ingested_total"] == Double(ingested))
            #expect(metrics["choreo_collector_spans_ingested_total"] == Double(try await harness.store.spanCount()))
            #expect(metrics["choreo_collector_commits_total"] == 3)
            #expect(metrics["choreo_collector_commit_duration_seconds_count"] == 3, "one latency sample per commit")
            #expect(metrics.types["choreo_collector_commit_duration_seconds"] == "histogram")
            #expect(metrics["choreo_collector_rejected_total{reason=\"malformed\"}"] == 1)
            #expect(metrics["choreo_collector_rejected_total{reason=\"invalid_span\"}"] == 1)
            #expect(metrics["choreo_collector_rejected_total{reason=\"unauthorized\"}"] == 0)
            #expect(metrics["choreo_collector_ingest_queue_depth"] == 0)
            #expect(metrics["choreo_collector_store_size_bytes"] == 0, "the in-memory store has no file")
        }
    }

    @Test("every rejection reason is exposed, counted where the route counts it")
    func rejectionReasons() async throws {
        let harness = Fixtures.collector(store: InterceptingStore.failingAppends())
        let spans = Fixtures.compensatedOrder("order-r", trace: TraceID(high: 4, low: 4))
        try await harness.application.test(.router) { client in
            #expect(try await post(client, try OTLPProtobuf.encodeRequest(spans)) == .serviceUnavailable)
            #expect(try await post(client, Array("{".utf8), contentType: "application/json") == .badRequest)
            #expect(try await post(client, [UInt8](repeating: 0, count: (1 << 20) + 1)) == .contentTooLarge)
            let metrics = try await scrape(client)
            for reason in RejectionCounters.Reason.allCases {
                let series = "choreo_collector_rejected_total{reason=\"\(reason.rawValue)\"}"
                #expect(metrics[series] == Double(harness.app.rejections.value(reason)), "\(series) matches the counters")
            }
            #expect(metrics["choreo_collector_rejected_total{reason=\"store_failure\"}"] == Double(spans.count))
            #expect(metrics["choreo_collector_rejected_total{reason=\"body_too_large\"}"] == 1)
            #expect(metrics["choreo_collector_spans_ingested_total"] == 0)
            #expect(metrics["choreo_collector_commit_duration_seconds_count"] == 0, "failed commits are not latency samples")
        }
    }

    @Test("store size is the database file plus its WAL, read at scrape")
    func storeSize() async throws {
        let path = try Fixtures.temporaryPath("choreo.sqlite")
        let harness = Fixtures.collector(databasePath: path)
        try await harness.application.test(.router) { client in
            #expect(try await scrape(client)["choreo_collector_store_size_bytes"] == 0)
            try Data(repeating: 1, count: 4096).write(to: URL(fileURLWithPath: path))
            try Data(repeating: 2, count: 1000).write(to: URL(fileURLWithPath: path + "-wal"))
            #expect(try await scrape(client)["choreo_collector_store_size_bytes"] == 5096)
        }
    }

    @Test("two collectors in one process keep separate registries")
    func separateRegistries() async throws {
        let a = Fixtures.collector()
        let b = Fixtures.collector()
        let body = try OTLPProtobuf.encodeRequest(Fixtures.compensatedOrder("x", trace: TraceID(high: 5, low: 5)))
        let status = try await a.application.test(.router) { client in try await post(client, body) }
        #expect(status == .ok)
        let other = try await b.application.test(.router) { client in try await scrape(client) }
        #expect(other["choreo_collector_spans_ingested_total"] == 0)
        #expect(a.app.writer.stats.committedSpans == 10)
    }
}
