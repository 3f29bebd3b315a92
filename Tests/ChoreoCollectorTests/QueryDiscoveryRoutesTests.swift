import ChoreoCollector
import ChoreoFlows
import ChoreoModel
import ChoreoStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("Collector query API: filters, stats, discovery, exports, trace search")
struct QueryDiscoveryRoutesTests {
    private func json(_ response: TestResponse) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(buffer: response.body))
    }

    private func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    /// Two compensated orders and one that only placed its order (in flight: nobody consumed yet).
    private func harness() async throws -> CollectorHarness {
        let harness = Fixtures.collector()
        try await harness.store.append(Fixtures.compensatedOrder("order-a", trace: TraceID(high: 1, low: 1)))
        try await harness.store.append(Fixtures.compensatedOrder("order-b", trace: TraceID(high: 2, low: 2)))
        try await harness.store.append([
            Fixtures.producer(
                trace: TraceID(high: 3, low: 3), span: 1, message: "c-m1", type: "OrderPlaced", correlation: "order-c",
                causation: nil, compensates: nil, service: "checkout", at: Fixtures.t0 + 9_000_000_000
            )
        ])
        return harness
    }

    @Test("flows are listed by type and service (repeated or comma-separated), and bad values are 400s")
    func listFilters() async throws {
        let harness = try await harness()
        try await harness.app.indexer.catchUp()  // the indexer's schedule, driven by the test
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/flows?type=RefundPayment", method: .get) { (response: TestResponse) async throws in
                let ids = try #require(try json(response) as? [[String: Any]]).compactMap { $0["correlation_id"] as? String }
                #expect(Set(ids) == ["order-a", "order-b"])
            }
            try await client.execute(uri: "/api/v1/flows?service=checkout&type=Nothing,OrderPlaced", method: .get) { (response: TestResponse) async throws in
                #expect(try #require(try json(response) as? [[String: Any]]).count == 3)
            }
            try await client.execute(uri: "/api/v1/flows?service=notification&status=in_flight", method: .get) { (response: TestResponse) async throws in
                #expect(try #require(try json(response) as? [[String: Any]]).isEmpty)
            }
            try await client.execute(uri: "/api/v1/flows?since=\(Fixtures.t0 + 5_000_000_000)", method: .get) { (response: TestResponse) async throws in
                let ids = try #require(try json(response) as? [[String: Any]]).compactMap { $0["correlation_id"] as? String }
                #expect(ids == ["order-c"], "since accepts Unix nanoseconds")
            }
            try await client.execute(uri: "/api/v1/flows?since=yesterday", method: .get) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/v1/flows?status=done", method: .get) { #expect($0.status == .badRequest) }
        }
    }

    @Test("stats count flows per status, every status present")
    func stats() async throws {
        let harness = try await harness()
        try await harness.app.indexer.catchUp()  // the indexer's schedule, driven by the test
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/flows/stats", method: .get) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
                let body = try #require(try json(response) as? [String: Any])
                let byStatus = try #require(body["by_status"] as? [String: Int])
                #expect(byStatus == ["completed": 0, "compensated": 2, "failed": 0, "in_flight": 1, "stuck": 0])
                #expect(body["total"] as? Int == 3)
            }
        }
    }

    @Test("the map, variants and the map's exports come from the index")
    func discovery() async throws {
        let harness = try await harness()
        try await harness.app.indexer.catchUp()  // the indexer's schedule, driven by the test
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/map", method: .get) { (response: TestResponse) async throws in
                let map = try JSONDecoder().decode(ProcessMap.self, from: Data(buffer: response.body))
                #expect(map.flows == 3)
                #expect(map.edges.first { $0.from == "OrderPlaced" && $0.to == "PaymentReceived" }?.count == 2)
                #expect(map.nodes.first { $0.type == "OrderPlaced" }?.count == 3)
                let body = try #require(try json(response) as? [String: Any])
                let edge = try #require((body["edges"] as? [[String: Any]])?.first)
                #expect(Set(edge.keys).isSuperset(of: ["from", "to", "count", "p50_ms", "p95_ms"]))
            }
            try await client.execute(uri: "/api/v1/variants?limit=1", method: .get) { (response: TestResponse) async throws in
                let report = try JSONDecoder().decode(VariantReport.self, from: Data(buffer: response.body))
                #expect(report.flows == 3)
                #expect(report.variants.count == 1)
                #expect(report.variants[0].count == 2 && report.variants[0].example == "order-a")
            }
            try await client.execute(uri: "/api/v1/map/export?format=mermaid", method: .get) { (response: TestResponse) async throws in
                #expect(text(response).hasPrefix("flowchart LR"))
            }
            try await client.execute(uri: "/api/v1/map/export?format=dot&type=RefundPayment", method: .get) { (response: TestResponse) async throws in
                #expect(text(response).hasPrefix("digraph process_map"))
                #expect(!text(response).contains("(1)"))
            }
            try await client.execute(uri: "/api/v1/map/export?format=xes", method: .get) { (response: TestResponse) async throws in
                let xes = text(response)
                #expect(xes.contains("<log xes.version"))
                #expect(xes.components(separatedBy: "<trace>").count - 1 == 3)
            }
            try await client.execute(uri: "/api/v1/map/export?format=png", method: .get) { #expect($0.status == .badRequest) }
        }
    }

    @Test("one flow exports as Mermaid, DOT, JSON and XES; an unknown flow is 404")
    func flowExport() async throws {
        let harness = try await harness()
        try await harness.app.indexer.catchUp()  // the indexer's schedule, driven by the test
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/flows/order-a/export?format=mermaid", method: .get) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
                #expect(text(response).hasPrefix("sequenceDiagram"))
                #expect(text(response).contains("compensates PaymentReceived"))
            }
            try await client.execute(uri: "/api/v1/flows/order-a/export?format=dot", method: .get) { #expect(text($0).hasPrefix("digraph flow")) }
            try await client.execute(uri: "/api/v1/flows/order-a/export?format=xes", method: .get) { #expect(text($0).contains("order-a")) }
            try await client.execute(uri: "/api/v1/flows/order-a/export", method: .get) { (response: TestResponse) async throws in
                #expect((try json(response) as? [String: Any])?["correlation_id"] as? String == "order-a")
            }
            try await client.execute(uri: "/api/v1/flows/nope/export?format=dot", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test("a stuck flow names what it waits for and the message nobody consumed; gaps is a number")
    func waitingFor() async throws {
        let harness = try await harness()
        try await harness.app.indexer.catchUp()  // the indexer's schedule, driven by the test
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/flows/order-c", method: .get) { (response: TestResponse) async throws in
                let flow = try #require(try json(response) as? [String: Any])
                #expect(flow["waiting_for"] as? String == "OrderPlaced")
                #expect(flow["gaps"] as? Int == 0)
                #expect(flow["unconsumed"] as? [String] == ["c-m1"])
            }
        }
    }

    @Test("traces are searched by service, attribute and errors")
    func traceSearch() async throws {
        let harness = try await harness()
        try await harness.app.indexer.catchUp()  // the indexer's schedule, driven by the test
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/traces?service=notification", method: .get) { (response: TestResponse) async throws in
                let traces = try #require(try json(response) as? [[String: Any]])
                #expect(Set(traces.compactMap { $0["trace_id"] as? String }) == [TraceID(high: 1, low: 1).hex, TraceID(high: 2, low: 2).hex])
                #expect(
                    traces.allSatisfy {
                        Set($0.keys).isSuperset(of: ["root_name", "service", "start_time", "duration_ms", "span_count", "error_count", "correlation_ids"])
                    })
            }
            try await client.execute(uri: "/api/v1/traces?attribute=messaging.message.conversation_id=order-c", method: .get) {
                (response: TestResponse) async throws in
                let traces = try #require(try json(response) as? [[String: Any]])
                #expect(traces.compactMap { $0["correlation_ids"] as? [String] } == [["order-c"]])
            }
            try await client.execute(uri: "/api/v1/traces?errors=true", method: .get) { (response: TestResponse) async throws in
                #expect(try #require(try json(response) as? [[String: Any]]).isEmpty)
            }
            try await client.execute(uri: "/api/v1/traces?attribute=novalue", method: .get) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/v1/traces?limit=0", method: .get) { #expect($0.status == .badRequest) }
        }
    }

    @Test("a flow definition loaded by the collector decides terminal types, declared compensations and deviations")
    func definition() async throws {
        let path = try Fixtures.temporaryPath("flows.yaml")
        try """
        terminal: [OrderCancelled]
        compensations: {RefundPayment: PaymentReceived}
        transitions:
          - {from: OrderPlaced, to: PaymentReceived}
          - {from: PaymentReceived, to: GoodsUnavailable}
          - {from: RefundPayment, to: OrderCancelled}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        var configuration = CollectorConfiguration()
        configuration.databasePath = "/nonexistent/choreo.sqlite"
        configuration.flowOptions.definition = try FlowDefinitionFile.load(path)
        let store = InMemorySpanStore()
        try await store.append(Fixtures.compensatedOrder("order-d", trace: TraceID(high: 4, low: 4)))
        let app = CollectorApp(configuration: configuration, store: store, logger: Logger(label: "test"), now: { Fixtures.t0 + 10_000_000_000 })
        try await Application(router: app.makeRouter()).test(.router) { client in
            try await client.execute(uri: "/api/v1/flows/order-d", method: .get) { (response: TestResponse) async throws in
                let flow = try #require(try json(response) as? [String: Any])
                let deviations = try #require(flow["deviations"] as? [[String: Any]])
                #expect(deviations.map { $0["kind"] as? String } == ["wrong_order"])
                #expect(deviations.first?["type"] as? String == "RefundPayment")
            }
        }
        #expect(throws: FlowDefinitionError.self) { try FlowDefinitionFile.load(path + ".missing") }
    }
}
