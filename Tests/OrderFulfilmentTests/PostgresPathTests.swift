import ChoreoInstrumentation
import ChoreoModel
import ChoreoPostgresBus
import Foundation
import OrderFulfilment
import Testing

/// The test database: `CHOREO_TEST_POSTGRES_URL`, set by `eval "$(scripts/pg-test-cluster.sh start)"`.
enum PostgresTestDatabase {
    static let url = ProcessInfo.processInfo.environment["CHOREO_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    static let skipReason: Comment = """
        skipped: CHOREO_TEST_POSTGRES_URL is not set; start a throwaway cluster with \
        `eval "$(scripts/pg-test-cluster.sh start)"` (CI's .ci/run does) to run the PostgreSQL paths
        """

    /// Runs `plans` with every service in this process on a fresh schema of the test database.
    static func run(_ plans: [OrderPlan], style: ChoreographyStyle, faults: FaultSettings = .none) async throws -> Truth {
        var configuration = try PostgresBus.Configuration(url: try #require(url))
        configuration.schema = "paths_\(UInt32.random(in: 0...UInt32.max))"
        configuration.initialBackoff = .milliseconds(5)
        configuration.maxBackoff = .milliseconds(40)
        configuration.pollInterval = .milliseconds(50)
        let bus = try PostgresBus(configuration: configuration)
        let system = OrderFulfilmentSystem(configuration: .init(style: style, faults: faults, dayLength: .seconds(2)))
        return try await withThrowingTaskGroup(of: Truth?.self) { group in
            group.addTask {
                try await bus.run()
                return nil
            }
            group.addTask { try await system.run(on: bus, plans: plans, concurrency: plans.count) }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }
}

@Suite("Paths on the PostgreSQL bus", .enabled(if: PostgresTestDatabase.url != nil, PostgresTestDatabase.skipReason), .timeLimit(.minutes(5)))
struct PostgresPathTests {
    @Test("every path publishes its exact messages and ends in its state on the PostgreSQL bus", arguments: ChoreographyStyle.allCases)
    func paths(style: ChoreographyStyle) async throws {
        var plans = Scenario.allCases.enumerated().map { plan($1, index: $0 + 1) }
        // Business time runs on the real clock here (a day is 2 s): the customer updates the card
        // at once, so it arrives well before the 7-day deadline even on a loaded machine.
        for index in plans.indices where plans[index].scenario == .cardUpdated { plans[index].details.cardUpdateAfterDays = 0.05 }
        let truth = try await PostgresTestDatabase.run(plans, style: style)
        #expect(truth.flows.count == plans.count)
        for order in plans {
            let expected = ExpectedPath.of(style, order.scenario)
            let flow = try #require(truth.flows[order.details.orderID])
            #expect(flow.status == expected.status, "\(expected)")
            #expect(flow.outcome == expected.outcome?.rawValue, "\(expected)")
            expectSteps(flow.steps, expected.steps, exact: expected.orderIsExact)
        }
    }

    @Test("transient failures, duplicates and a poison message behave on the PostgreSQL bus as in memory")
    func faults() async throws {
        let transient = plan(.happy, faults: OrderFaults(transient: FaultTarget(service: "inventory", type: .fetchGoods), transientFailures: 2), index: 1)
        let duplicate = plan(.happy, faults: OrderFaults(duplicate: FaultTarget(service: "order", type: .paymentReceived)), index: 2)
        let poison = plan(.happy, faults: OrderFaults(poison: FaultTarget(service: "inventory", type: .fetchGoods)), index: 3)
        let truth = try await PostgresTestDatabase.run([transient, duplicate, poison], style: .commanded)
        let happy = ExpectedPath.of(.commanded, .happy)
        for order in [transient, duplicate] {
            let flow = try #require(truth.flows[order.details.orderID])
            #expect(flow.status == .completed)
            expectSteps(flow.steps, happy.steps, exact: true)
        }
        let failed = try #require(truth.flows[poison.details.orderID])
        #expect(failed.status == .failed)
        #expect(failed.outcome == nil)
        #expect(failed.types == ["OrderPlaced", "RetrievePayment", "PaymentReceived", "FetchGoods"])
    }

    @Test("a missing subscriber leaves the flow stuck on the PostgreSQL bus too")
    func missingSubscriber() async throws {
        let order = plan(.happy)
        let truth = try await PostgresTestDatabase.run([order], style: .commanded, faults: FaultSettings(missingSubscriber: "shipment"))
        let flow = try #require(truth.flows[order.details.orderID])
        #expect(flow.status == .stuck)
        #expect(flow.waitingFor == "ShipGoods")
        #expect(flow.types == ["OrderPlaced", "RetrievePayment", "PaymentReceived", "FetchGoods", "GoodsFetched", "ShipGoods"])
    }
}
