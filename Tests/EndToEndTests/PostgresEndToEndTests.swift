import Foundation
import Testing

/// The choreography across real processes on the PostgreSQL bus: `order-fulfilment --processes`
/// starts every service as its own process; their truth comes back through the database.
@Suite("PostgreSQL bus across processes", .serialized, .enabled(if: PostgresE2E.url != nil, PostgresE2E.skipReason), .timeLimit(.minutes(10)))
struct PostgresEndToEndTests {
    struct PathCase: Sendable, CustomStringConvertible {
        var scenario: String
        var status: String
        var outcome: String
        var types: [String]
        var description: String { "commanded \(scenario)" }
    }

    static let paths = [
        PathCase(
            scenario: "happy", status: "completed", outcome: "OrderCompleted",
            types: [
                "OrderPlaced", "RetrievePayment", "PaymentReceived", "FetchGoods", "GoodsFetched", "ShipGoods", "GoodsShipped", "OrderCompleted",
            ]),
        PathCase(
            scenario: "unavailable", status: "compensated", outcome: "OrderCancelled",
            types: [
                "OrderPlaced", "RetrievePayment", "PaymentReceived", "FetchGoods", "GoodsUnavailable", "RefundPayment", "PaymentRefunded",
                "OrderCancelled",
            ]),
    ]

    @Test("each service in its own process: the path's exact messages and final state, recorded by the services", arguments: paths)
    func path(_ expected: PathCase) async throws {
        let harness = try ProcessHarness()
        let processes = OrderFulfilmentProcesses(harness: harness)
        defer { processes.stopAll() }
        let truthPath = harness.workDir.appendingPathComponent("truth.json").path
        try processes.start(
            "driver",
            [
                "--bus", try #require(PostgresE2E.url), "--schema", PostgresE2E.freshSchema("e2e"), "--processes",
                "--style", "commanded", "--scenario", expected.scenario, "--orders", "6", "--concurrency", "3",
                "--day", "100ms", "--truth", truthPath,
            ])
        let status = try await processes.waitForExit("driver")
        try #require(status == 0, "order-fulfilment --processes failed: \(processes.log("driver").suffix(2_000))")
        let truth = try PostgresE2E.truth(at: truthPath)
        #expect(truth.count == 6)
        for (orderID, flow) in truth {
            #expect(flow.types == expected.types, "\(orderID)")
            #expect(flow.status == expected.status, "\(orderID)")
            #expect(flow.outcome == expected.outcome, "\(orderID)")
        }
    }
}
