import ChoreoCollector
import ChoreoModel
import ChoreoTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// The flow API on a huge flow (issue 17): the whole flow, and pages of its steps with the
/// header and counts of the whole flow. 20,000 messages (40,000 spans) in one causation chain
/// keep a debug run short; LargeFlowEndToEndTests runs 100,000 through a real collector.
@Suite("Collector query API, large flows")
struct LargeFlowRouteTests {
    static let count = 20_000

    /// The producer and consumer spans of a chain of `count` messages, each step its own trace.
    static func chain(_ correlationID: String, count: Int) -> [SpanRecord] {
        LargeFlows.spans(correlationID, count: count, chain: true, base: Fixtures.t0, traceHigh: 0xC)
    }

    private func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test("a 20,000-step chain answers whole and in pages (a range, indexes, the outline, a slice of the traces); bad page parameters are 400")
    func pages() async throws {
        let harness = Fixtures.collector()
        try await harness.store.append(Self.chain("big", count: Self.count))
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/flows/big", method: .get) { response in
                #expect(response.status == .ok)
                let flow = try object(response)
                let steps = try #require(flow["steps"] as? [[String: Any]])
                #expect(steps.map { $0["message_id"] as? String } == (0..<Self.count).map { "big-\($0)" })
                #expect(flow["steps_total"] == nil, "the whole flow has no page fields")
            }
            try await client.execute(uri: "/api/v1/flows/big?steps_from=19990&steps_limit=100", method: .get) { response in
                #expect(response.status == .ok)
                let flow = try object(response)
                let steps = try #require(flow["steps"] as? [[String: Any]])
                #expect(steps.map { $0["message_id"] as? String } == (19990..<Self.count).map { "big-\($0)" })
                #expect(flow["steps_total"] as? Int == Self.count)
                #expect(flow["steps_from"] as? Int == 19990)
                #expect(flow["status"] as? String == "completed")
                // A page lists the first 100 trace ids, not all 20,000 (700 KB here, 3.5 MB at 100,000).
                #expect((flow["trace_ids"] as? [String])?.count == 100)
                #expect(flow["traces_total"] as? Int == Self.count)
                #expect(flow["traces_from"] as? Int == 0)
                #expect(response.body.readableBytes < 100_000)
            }
            try await client.execute(uri: "/api/v1/flows/big?steps_limit=0&traces_from=19999&traces_limit=5&outline=true", method: .get) {
                response in
                #expect(response.status == .ok)
                let flow = try object(response)
                #expect((flow["steps"] as? [Any])?.isEmpty == true)
                #expect((flow["trace_ids"] as? [String]) == [TraceID(high: 0xC, low: UInt64(Self.count)).hex])
                let outline = try #require(flow["outline"] as? [String: Any])
                #expect(outline["types"] as? [String] == ["BatchStarted", "ItemReserved"])
                let steps = try #require(outline["steps"] as? [[Int]])
                #expect(steps.count == Self.count)
                #expect(steps.first == [0, -1, 0, -1])
                #expect(steps.last == [1, Self.count - 2, 0, -1])
                #expect(response.body.readableBytes < 20 * Self.count, "about 16 bytes a step")
            }
            try await client.execute(uri: "/api/v1/flows/big?steps_at=0-1,19999,25000&traces_limit=0", method: .get) { response in
                #expect(response.status == .ok)
                let flow = try object(response)
                let steps = try #require(flow["steps"] as? [[String: Any]])
                #expect(steps.map { $0["message_id"] as? String } == ["big-0", "big-1", "big-19999"])
                #expect(flow["steps_total"] as? Int == Self.count)
                #expect(flow["steps_from"] == nil)
                #expect((flow["trace_ids"] as? [String])?.isEmpty == true)
            }
            try await client.execute(uri: "/api/v1/flows/big?steps_limit=3", method: .get) { response in
                let steps = try #require(try object(response)["steps"] as? [[String: Any]])
                #expect(steps.map { $0["message_id"] as? String } == ["big-0", "big-1", "big-2"])
            }
            for bad in [
                "steps_from=-1", "steps_limit=-1", "steps_limit=x", "steps_at=-1", "steps_at=5-3", "steps_at=1,x", "steps_at=0-10000",
                "steps_at=1&steps_limit=2", "steps_at=0&steps_from=1", "traces_limit=-1", "traces_from=x", "outline=yes",
            ] {
                try await client.execute(uri: "/api/v1/flows/big?\(bad)", method: .get) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                }
            }
        }
    }
}
