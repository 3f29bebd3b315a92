import Foundation
import Testing

/// The whole data path as real processes: order-fulfilment → choreo-agent → choreo-collector
/// (SQLite) → `choreo … --json`, checked against the system's own truth file.
@Suite("End to end", .serialized, .timeLimit(.minutes(10)))
struct FoundationEndToEndTests {
    struct Truth: Decodable {
        var status: String
        var outcome: String?
        var types: [String]
    }

    @Test("every order's flow has the ground-truth status, outcome and message types; refunds name the payment they compensate")
    func foundationPath() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let pipeline = try await harness.startCollectorAndAgent()
        let collectorURL = pipeline.collectorURL

        let truthPath = harness.workDir.appendingPathComponent("truth.json").path
        let demo = try harness.run(
            "order-fulfilment", ["--orders", "50", "--seed", "7", "--truth", truthPath],
            environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": pipeline.agentURL]
        )
        try #require(demo.status == 0, "order-fulfilment failed: \(demo.stderr)")
        let truth = try JSONDecoder().decode([String: Truth].self, from: Data(contentsOf: URL(fileURLWithPath: truthPath)))
        #expect(truth.count == 50)
        let statuses = Set(truth.values.map(\.status))
        #expect(statuses.isSuperset(of: ["completed", "compensated"]), "the seeded mix lacks a path: \(statuses)")

        // The tracer flushed before order-fulfilment exited; wait until the agent's last batch is in.
        try await waitUntilAllFlowsSettled(harness: harness, collectorURL: collectorURL, expected: truth.count)

        for (correlationID, expected) in truth.sorted(by: { $0.key < $1.key }) {
            let shown = try harness.run("choreo", ["flows", "show", correlationID, "--json", "--collector", collectorURL])
            try #require(shown.status == 0, "choreo flows show \(correlationID) failed: \(shown.stderr)")
            let flow = try #require(try JSONSerialization.jsonObject(with: shown.stdout) as? [String: Any])
            #expect(flow["status"] as? String == expected.status, "\(correlationID): status")
            #expect(flow["outcome"] as? String == expected.outcome, "\(correlationID): outcome")
            let steps = try #require(flow["steps"] as? [[String: Any]])
            let types = steps.compactMap { $0["type"] as? String }
            #expect(types.sorted() == expected.types.sorted(), "\(correlationID): message types")
            if expected.status == "compensated" {
                let byID = Dictionary(steps.map { ($0["message_id"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
                let refund = try #require(steps.first { $0["type"] as? String == "RefundPayment" }, "\(correlationID): no RefundPayment step")
                let target = try #require(refund["compensates"] as? String, "\(correlationID): RefundPayment compensates nothing")
                #expect(byID[target]?["type"] as? String == "PaymentReceived", "\(correlationID): RefundPayment compensates \(target)")
            }
        }
        #expect(harness.log("choreo-collector").contains("error") == false, "collector logged errors: \(harness.log("choreo-collector"))")
    }

    /// Polls the flow list until it holds `expected` flows, none of them in flight.
    private func waitUntilAllFlowsSettled(harness: ProcessHarness, collectorURL: String, expected: Int) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var last = ""
        while clock.now < deadline {
            let listed = try harness.run("choreo", ["flows", "list", "--json", "--limit", "10000", "--collector", collectorURL])
            if listed.status == 0, let flows = try? JSONSerialization.jsonObject(with: listed.stdout) as? [[String: Any]] {
                let settled = flows.filter { $0["status"] as? String != "in_flight" }
                if flows.count == expected, settled.count == expected { return }
                last = "\(flows.count) flows, \(settled.count) settled"
            } else {
                last = listed.stderr
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("flows did not settle within 60 s (\(last)); agent log: \(harness.log("choreo-agent"))")
    }
}
