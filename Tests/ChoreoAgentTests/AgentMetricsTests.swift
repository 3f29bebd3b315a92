import ChoreoTestSupport
import ChoreoAgent
import ChoreoModel
import ChoreoOTLP
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("Agent /metrics")
struct AgentMetricsTests {
    static let names = [
        "choreo_agent_spans_received_total", "choreo_agent_spans_sent_total", "choreo_agent_retries_total",
        "choreo_agent_spans_dropped_total", "choreo_agent_queue_depth", "choreo_agent_spooled_bytes",
        "choreo_agent_requests_rejected_total",
    ]

    func post(_ client: some TestClientProtocol, _ body: [UInt8]) async throws -> HTTPResponse.Status {
        try await client.execute(
            uri: "/v1/traces", method: .post, headers: [.contentType: "application/x-protobuf"], body: ByteBuffer(bytes: body)
        ) { $0.status }
    }

    func scrape(_ client: some TestClientProtocol) async throws -> Exposition {
        try await client.execute(uri: "/metrics", method: .get) { response in
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            return Exposition(String(buffer: response.body))
        }
    }

    @Test("receiving, refusing, forwarding, retrying and dropping all show up with their counts")
    func everyMetric() async throws {
        var c = AgentConfiguration()
        c.queueCapacity = 12
        c.batchMaxSpans = 5
        c.batchMaxDelay = .milliseconds(200)
        c.initialBackoff = .milliseconds(100)
        c.maxBodyBytes = 1 << 16
        let clock = TestClock(.manual)
        let sender = FakeSender(script: [.retryable(reason: "HTTP 503", retryAfter: nil), .permanent(reason: "HTTP 400")])
        let agent = AgentApp(configuration: c, sender: sender, clock: clock, logger: Logger(label: "t"))
        try await Application(router: agent.makeRouter()).test(.router) { client in
            // 5 + 5 queued; 5 more do not fit (capacity 12): refused with 503.
            #expect(try await post(client, try OTLPProtobuf.encodeRequest(ForwarderTests.spans(5))) == .ok)
            #expect(try await post(client, try OTLPProtobuf.encodeRequest(ForwarderTests.spans(5, from: 5))) == .ok)
            #expect(try await post(client, try OTLPProtobuf.encodeRequest(ForwarderTests.spans(5, from: 10))) == .serviceUnavailable)
            #expect(try await post(client, [0xFF, 0xFF]) == .badRequest)
            #expect(try await post(client, [UInt8](repeating: 0, count: (1 << 16) + 1)) == .contentTooLarge)

            var metrics = try await scrape(client)
            for name in Self.names {
                #expect(metrics.types[name] != nil, "\(name) is exposed")
                #expect(metrics.help[name]?.isEmpty == false, "\(name) has HELP")
            }
            #expect(metrics["choreo_agent_spans_received_total"] == 10)
            #expect(metrics["choreo_agent_queue_depth"] == 10)
            #expect(metrics["choreo_agent_spans_dropped_total{reason=\"queue_full\"}"] == 5)
            #expect(metrics["choreo_agent_requests_rejected_total{reason=\"malformed\"}"] == 1)
            #expect(metrics["choreo_agent_requests_rejected_total{reason=\"too_large\"}"] == 1)
            #expect(metrics["choreo_agent_spooled_bytes"] == 0)
            #expect(metrics["choreo_agent_spans_sent_total"] == 0)

            // First batch: 503 then (retried) 400, dropped as rejected; second batch accepted.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await agent.forwarder.run() }
                await clock.waitForSleepers()  // backing off after the 503
                clock.advance(by: .seconds(1))
                while sender.accepted.count < 1 { await Task.yield() }
                group.cancelAll()
                try await group.waitForAll()
            }
            metrics = try await scrape(client)
            #expect(metrics["choreo_agent_retries_total"] == 1)
            #expect(metrics["choreo_agent_spans_dropped_total{reason=\"rejected\"}"] == 5)
            #expect(metrics["choreo_agent_spans_sent_total"] == 5)
            #expect(metrics["choreo_agent_batches_sent_total"] == 1)
            #expect(metrics["choreo_agent_queue_depth"] == 0)
            #expect(metrics["choreo_agent_spans_dropped_total{reason=\"shutdown\"}"] == 0)
        }
        let stats = agent.forwarder.stats
        #expect(stats.sentSpans == 5 && stats.retries == 1 && stats.droppedRejected == 5, "the stats are the metrics' numbers")
        #expect(agent.receiverCounters.snapshot.rejected[.malformed] == 1)
    }
}
