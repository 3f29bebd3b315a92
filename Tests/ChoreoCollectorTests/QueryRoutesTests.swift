import ChoreoCollector
import ChoreoFlows
import ChoreoModel
import ChoreoOTLP
import ChoreoQuery
import ChoreoStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Collector query API")
struct QueryRoutesTests {
    let trace = TraceID(high: 0xFEED, low: 0xBEEF)

    private func json(_ response: TestResponse) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(buffer: response.body))
    }

    @Test("a flow is rebuilt by correlation id with the JSON contract")
    func showFlow() async throws {
        let harness = Fixtures.collector()
        try await harness.store.append(Fixtures.compensatedOrder("order-7", trace: trace))
        try await harness.store.append(Fixtures.compensatedOrder("eu/order-8", trace: TraceID(high: 8, low: 8)))
        try await harness.app.indexer.catchUp()  // the indexer's schedule, driven by the test
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/flows/order-7", method: .get) { response in
                #expect(response.status == .ok)
                let flow = try #require(try json(response) as? [String: Any])
                #expect(flow["correlation_id"] as? String == "order-7")
                #expect(flow["status"] as? String == "compensated")
                #expect(flow["outcome"] as? String == "OrderCancelled")
                #expect(flow["trace_ids"] as? [String] == [trace.hex])
                let steps = try #require(flow["steps"] as? [[String: Any]])
                #expect(steps.map { $0["type"] as? String } == ["OrderPlaced", "PaymentReceived", "GoodsUnavailable", "RefundPayment", "OrderCancelled"])
                let refund = steps[3]
                #expect(refund["compensates"] as? String == "order-7-m2")
                #expect(steps[0]["causation_id"] is NSNull)
            }
            try await client.execute(uri: "/api/v1/flows/eu%2Forder-8", method: .get) { response in
                #expect(response.status == .ok, "a percent-encoded id is decoded before the lookup")
                let flow = try #require(try json(response) as? [String: Any])
                #expect(flow["correlation_id"] as? String == "eu/order-8")
            }
            try await client.execute(uri: "/api/v1/flows/nope", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try #require(try json(response) as? [String: String])
                #expect(body["error"]?.contains("nope") == true)
            }
        }
    }

    @Test("flows are listed from the index, filtered by status, with validation of parameters")
    func listFlows() async throws {
        let harness = Fixtures.collector()
        try await harness.store.append(Fixtures.compensatedOrder("order-a", trace: trace))
        try await harness.store.append(Fixtures.compensatedOrder("order-b", trace: TraceID(high: 1, low: 2)))
        try await harness.app.indexer.catchUp()  // the indexer's schedule, driven by the test
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/flows?status=compensated", method: .get) { response in
                #expect(response.status == .ok)
                let flows = try #require(try json(response) as? [[String: Any]])
                #expect(Set(flows.compactMap { $0["correlation_id"] as? String }) == ["order-a", "order-b"])
                #expect(flows.allSatisfy { $0["compensation_count"] as? Int == 1 && $0["step_count"] as? Int == 5 })
            }
            try await client.execute(uri: "/api/v1/flows?status=completed", method: .get) { response in
                let flows = try json(response) as? [Any]
                #expect(flows?.isEmpty == true)
            }
            try await client.execute(uri: "/api/v1/flows?limit=1", method: .get) { response in
                let flows = try json(response) as? [Any]
                #expect(flows?.count == 1)
            }
            for bad in ["status=done", "limit=0", "limit=x", "since=yesterday"] {
                try await client.execute(uri: "/api/v1/flows?\(bad)", method: .get) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                }
            }
        }
    }

    @Test("a trace is returned whole; unknown and malformed ids are told apart")
    func getTrace() async throws {
        let harness = Fixtures.collector()
        let spans = Fixtures.compensatedOrder("order-t", trace: trace)
        try await harness.store.append(spans)
        try await harness.app.indexer.catchUp()  // the indexer's schedule, driven by the test
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/traces/\(trace.hex)", method: .get) { response in
                #expect(response.status == .ok)
                let doc = try #require(try json(response) as? [String: Any])
                #expect(doc["trace_id"] as? String == trace.hex)
                #expect((doc["spans"] as? [Any])?.count == spans.count)
            }
            try await client.execute(uri: "/api/v1/traces/\(TraceID(high: 9, low: 9).hex)", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/traces/xyz", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
    }
}

@Suite("Collector query API: reads never write")
struct QueryReadsNeverWriteTests {
    @Test("a GET does not run the indexer: new flows appear only after it caught up, and the answer says how fresh the index is")
    func getNeverIndexes() async throws {
        let harness = Fixtures.collector()
        try await harness.store.append(Fixtures.compensatedOrder("order-a", trace: TraceID(high: 9, low: 9)))
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/flows", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "[]", "nothing indexed yet, and the GET indexed nothing")
                #expect(response.headers[HTTPField.Name("Choreo-Index-Updated-At")!] == UnixTime.rfc3339(0))
            }
        }
        #expect(try await harness.store.dirtyFlows(limit: 10).map(\.correlationID) == ["order-a"], "the dirty mark is untouched")
        try await harness.app.indexer.catchUp()
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/flows", method: .get) { response in
                #expect(String(buffer: response.body).contains("order-a"))
                #expect(response.headers[HTTPField.Name("Choreo-Index-Updated-At")!] == UnixTime.rfc3339(Fixtures.t0 + 10_000_000_000))
            }
        }
    }

    @Test("one flow is judged as the indexer recorded in the store, not by the options the routes were built with")
    func flowJudgedAsRecorded() async throws {
        let harness = Fixtures.collector()
        try await harness.store.append(Fixtures.compensatedOrder("order-a", trace: TraceID(high: 9, low: 9)))
        var recorded = FlowOptions()
        recorded.terminalTypes = ["RefundPayment"]
        try await harness.store.saveJudging(FlowJudging(recorded).encoded)
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/flows/order-a", method: .get) { response in
                let flow = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(flow["outcome"] as? String == "RefundPayment", "the recorded terminal type names the outcome")
            }
        }
    }
}
