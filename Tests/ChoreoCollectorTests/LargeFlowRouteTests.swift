import ChoreoCollector
import ChoreoModel
import Foundation
import HummingbirdTesting
import Testing

/// The flow API on a huge flow (issue 17): the whole flow, and pages of its steps with the
/// header and counts of the whole flow. 20,000 messages (40,000 spans) in one causation chain
/// keep a debug run short; BENCHMARKS.md (large flows) runs 100,000 in release.
@Suite("Collector query API, large flows")
struct LargeFlowRouteTests {
    static let count = 20_000

    /// The producer and consumer spans of a chain of `count` messages, each step its own trace.
    static func chain(_ correlationID: String, count: Int) -> [SpanRecord] {
        (0..<count).flatMap { i -> [SpanRecord] in
            var attributes: [String: AttributeValue] = [
                MessagingKey.system: .string("memory"), MessagingKey.messageID: .string("\(correlationID)-\(i)"),
                MessagingKey.conversationID: .string(correlationID), MessagingKey.destinationName: .string("items"),
                ChoreoKey.eventType: .string(i == 0 ? "BatchStarted" : "ItemReserved"), ChoreoKey.source: .string("bulk"),
            ]
            if i > 0 { attributes[ChoreoKey.causationID] = .string("\(correlationID)-\(i - 1)") }
            let at = Fixtures.t0 + UInt64(i) * 1_000_000
            let trace = TraceID(high: 0xC, low: UInt64(i + 1))
            var send = attributes
            send[MessagingKey.operationType] = .string(MessagingOperation.send)
            var process = attributes
            process[MessagingKey.operationType] = .string(MessagingOperation.process)
            process[MessagingKey.consumerGroup] = .string("worker")
            process[ChoreoKey.deliveryOutcome] = .string("handled")
            return [
                SpanRecord(
                    traceID: trace, spanID: SpanID(UInt64(2 * i + 1)), parentSpanID: nil, name: "send items", kind: .producer,
                    startTimeUnixNano: at, endTimeUnixNano: at + 100_000, attributes: send, serviceName: "bulk"),
                SpanRecord(
                    traceID: trace, spanID: SpanID(UInt64(2 * i + 2)), parentSpanID: SpanID(UInt64(2 * i + 1)), name: "process items",
                    kind: .consumer, startTimeUnixNano: at + 200_000, endTimeUnixNano: at + 500_000, attributes: process,
                    serviceName: "worker"),
            ]
        }
    }

    private func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test("a 20,000-step chain answers whole and in pages; bad page parameters are 400")
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
                #expect((flow["trace_ids"] as? [String])?.count == Self.count)
            }
            try await client.execute(uri: "/api/v1/flows/big?steps_limit=3", method: .get) { response in
                let steps = try #require(try object(response)["steps"] as? [[String: Any]])
                #expect(steps.map { $0["message_id"] as? String } == ["big-0", "big-1", "big-2"])
            }
            for bad in ["steps_from=-1", "steps_limit=0", "steps_limit=x"] {
                try await client.execute(uri: "/api/v1/flows/big?\(bad)", method: .get) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                }
            }
        }
    }
}
