import ChoreoCollector
import ChoreoModel
import ChoreoStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Collector: stuck limits learned from history")
struct LearnedStuckTests {
    static let second: UInt64 = 1_000_000_000
    /// When the payment of the stuck flow is declined and published; nobody consumes it.
    static let declinedAt = Fixtures.t0 + 60 * second

    /// A completed order: placed and completed, each consumed 0.1 ms after publish.
    static func completedOrder(_ index: Int) -> [SpanRecord] {
        let id = "done-\(index)"
        let trace = TraceID(high: 0xD0, low: UInt64(index + 1))
        let at = Fixtures.t0 + UInt64(index) * 10_000_000
        return [
            Fixtures.producer(trace: trace, span: 1, message: "\(id)-m1", type: "OrderPlaced", correlation: id, service: "checkout", at: at),
            Fixtures.consumer(trace: trace, span: 2, parent: 1, message: "\(id)-m1", type: "OrderPlaced", correlation: id, group: "payment", at: at + 100_000),
            Fixtures.producer(
                trace: trace, span: 3, message: "\(id)-m2", type: "OrderCompleted", correlation: id, causation: "\(id)-m1", service: "order", at: at + 1_000_000
            ),
            Fixtures.consumer(
                trace: trace, span: 4, parent: 3, message: "\(id)-m2", type: "OrderCompleted", correlation: id, group: "notification", at: at + 1_100_000),
        ]
    }

    /// An order whose `PaymentDeclined` is never consumed (the missing-subscriber fault).
    static func declinedNeverConsumed() -> [SpanRecord] {
        let id = "order-stuck"
        let trace = TraceID(high: 0x5, low: 0x7)
        let placed = declinedAt - 1_000_000
        return [
            Fixtures.producer(trace: trace, span: 1, message: "s-m1", type: "OrderPlaced", correlation: id, service: "checkout", at: placed),
            Fixtures.consumer(trace: trace, span: 2, parent: 1, message: "s-m1", type: "OrderPlaced", correlation: id, group: "payment", at: placed + 100_000),
            Fixtures.producer(
                trace: trace, span: 3, message: "s-m2", type: "PaymentDeclined", correlation: id, causation: "s-m1", service: "payment", at: declinedAt),
        ]
    }

    /// A collector whose clock reads `idle` after the stuck flow's last activity, with `history`
    /// completed flows stored before it.
    func harness(history: Int, idle: UInt64) async throws -> CollectorHarness {
        let lastActivity = Self.declinedAt + 1000
        let harness = Fixtures.collector(now: lastActivity + idle)
        for index in 0..<history { try await harness.store.append(Self.completedOrder(index)) }
        try await harness.store.append(Self.declinedNeverConsumed())
        return harness
    }

    private func json(_ response: TestResponse) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(buffer: response.body))
    }

    @Test("with 30 completed flows learned, an unconsumed message is stuck 3 s later, naming its type")
    func stuckAfterFloor() async throws {
        let harness = try await harness(history: 30, idle: 3 * Self.second)
        try await harness.app.indexer.catchUp()  // the indexer's schedule, driven by the test
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/flows?status=stuck", method: .get) { response in
                #expect(response.status == .ok)
                let flows = try #require(try json(response) as? [[String: Any]])
                #expect(flows.compactMap { $0["correlation_id"] as? String } == ["order-stuck"])
                #expect(flows.first?["waiting_for"] as? String == "PaymentDeclined")
            }
            try await client.execute(uri: "/api/v1/flows/order-stuck", method: .get) { response in
                #expect(response.status == .ok)
                let flow = try #require(try json(response) as? [String: Any])
                #expect(flow["status"] as? String == "stuck")
                #expect(flow["waiting_for"] as? String == "PaymentDeclined")
            }
        }
        #expect(harness.app.learner.snapshot().sampleCount(for: nil) == 61, "30 × 2 messages + OrderPlaced of the stuck flow")
    }

    @Test("within the floor the flow is still in flight")
    func inFlightWithinFloor() async throws {
        let harness = try await harness(history: 30, idle: Self.second)
        try await harness.app.indexer.catchUp()  // the indexer's schedule, driven by the test
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/flows?status=in_flight", method: .get) { response in
                let flows = try #require(try json(response) as? [[String: Any]])
                #expect(flows.compactMap { $0["correlation_id"] as? String } == ["order-stuck"])
            }
        }
    }

    @Test("without enough history the limit is the ceiling (--stuck-after)")
    func ceilingWithoutHistory() async throws {
        let harness = try await harness(history: 5, idle: 3 * Self.second)
        try await harness.app.indexer.catchUp()  // the indexer's schedule, driven by the test
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/flows?status=stuck", method: .get) { response in
                let flows = try #require(try json(response) as? [Any])
                #expect(flows.isEmpty)
            }
            try await client.execute(uri: "/api/v1/flows/order-stuck", method: .get) { response in
                let flow = try #require(try json(response) as? [String: Any])
                #expect(flow["status"] as? String == "in_flight")
                #expect(flow["waiting_for"] as? String == "PaymentDeclined")
            }
        }
    }
}
