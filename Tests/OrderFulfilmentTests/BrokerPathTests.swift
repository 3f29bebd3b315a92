import ChoreoInstrumentation
import ChoreoModel
import ChoreoNATSBus
import ChoreoRabbitMQBus
import Foundation
import OrderFulfilment
import Testing

/// The test brokers: `CHOREO_TEST_AMQP_URL` and `CHOREO_TEST_NATS_URL`, set by `scripts/test.sh`
/// (which starts throwaway servers with `scripts/rabbitmq-test-server.sh` and
/// `scripts/nats-test-server.sh`).
enum TestBroker: String, Sendable, CustomTestStringConvertible {
    case rabbitMQ = "CHOREO_TEST_AMQP_URL"
    case nats = "CHOREO_TEST_NATS_URL"

    var url: String? { ProcessInfo.processInfo.environment[rawValue].flatMap { $0.isEmpty ? nil : $0 } }
    var testDescription: String { self == .rabbitMQ ? "RabbitMQ" : "NATS" }

    static func skipReason(_ broker: TestBroker) -> Comment {
        "skipped: \(broker.rawValue) is not set; `scripts/test.sh` starts a throwaway \(broker.testDescription) server and sets it"
    }

    /// Runs `plans` with every service in this process (each on a bus instance of its own) on
    /// a fresh system of the broker, with quick retries; returns the truth observed there.
    func run(_ plans: [OrderPlan], style: ChoreographyStyle, faults: FaultSettings = .none) async throws -> Truth {
        let url = try #require(url)
        let name = "of-test-\(UInt32.random(in: 0...UInt32.max))"
        let system = OrderFulfilmentSystem(configuration: .init(style: style, faults: faults, dayLength: .seconds(2)))
        switch self {
        case .rabbitMQ:
            var configuration = try RabbitMQBus.Configuration(url: url)
            configuration.prefix = name
            configuration.initialBackoff = .milliseconds(5)
            configuration.maxBackoff = .milliseconds(40)
            return try await Self.run(plans, system) { [configuration] _ in try RabbitMQBus(configuration: configuration) }
        case .nats:
            var configuration = try NATSBus.Configuration(url: url)
            configuration.system = name
            configuration.initialBackoff = .milliseconds(5)
            configuration.maxBackoff = .milliseconds(40)
            configuration.threads = 2
            return try await Self.run(plans, system) { [configuration] _ in try NATSBus(configuration: configuration) }
        }
    }

    private static func run<Bus: BrokerBus>(
        _ plans: [OrderPlan], _ system: OrderFulfilmentSystem, makeBus: @escaping @Sendable (String) throws -> Bus
    ) async throws -> Truth {
        try await system.run(
            plans: plans, concurrency: plans.count, services: InProcessServices(system: system, makeBus: makeBus), makeBus: makeBus)
    }
}

/// What every durable bus must show: the paths, the faults and a missing subscriber as in
/// memory (on a broker with the truth observed there, on PostgreSQL with the journal).
enum DurableBusPathChecks {
    /// Runs plans in a style with faults on the bus under test and returns the truth.
    typealias Runner = @Sendable ([OrderPlan], ChoreographyStyle, FaultSettings) async throws -> Truth

    static func paths(_ run: Runner, style: ChoreographyStyle) async throws {
        var plans = Scenario.allCases.enumerated().map { plan($1, index: $0 + 1) }
        // Business time runs on the real clock (a day is 2 s): the card update comes at once.
        for index in plans.indices where plans[index].scenario == .cardUpdated { plans[index].details.cardUpdateAfterDays = 0.05 }
        let truth = try await run(plans, style, .none)
        #expect(truth.flows.count == plans.count)
        for order in plans {
            let expected = ExpectedPath.of(style, order.scenario)
            let flow = try #require(truth.flows[order.details.orderID])
            #expect(flow.status == expected.status, "\(expected)")
            #expect(flow.outcome == expected.outcome?.rawValue, "\(expected)")
            expectSteps(flow.steps, expected.steps, exact: expected.orderIsExact)
        }
    }

    static func faults(_ run: Runner) async throws {
        let transient = plan(.happy, faults: OrderFaults(transient: FaultTarget(service: "inventory", type: .fetchGoods), transientFailures: 2), index: 1)
        let duplicate = plan(.happy, faults: OrderFaults(duplicate: FaultTarget(service: "order", type: .paymentReceived)), index: 2)
        let poison = plan(.happy, faults: OrderFaults(poison: FaultTarget(service: "inventory", type: .fetchGoods)), index: 3)
        let truth = try await run([transient, duplicate, poison], .commanded, .none)
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

    static func missingSubscriber(_ run: Runner) async throws {
        let order = plan(.happy)
        let truth = try await run([order], .commanded, FaultSettings(missingSubscriber: "shipment"))
        let flow = try #require(truth.flows[order.details.orderID])
        #expect(flow.status == .stuck)
        #expect(flow.waitingFor == "ShipGoods")
        #expect(flow.types == ["OrderPlaced", "RetrievePayment", "PaymentReceived", "FetchGoods", "GoodsFetched", "ShipGoods"])
    }

    /// Inventory is down from the start for half a day: its backlog waits on the broker and
    /// drains when it is back (its bus instance is a new one: a restarted process).
    static func outage(_ run: Runner) async throws {
        let orders = (1...3).map { plan(.happy, index: $0) }
        let faults = FaultSettings(outage: .init(service: "inventory", startsAfterDays: 0, lastsDays: 0.5))
        let truth = try await run(orders, .commanded, faults)
        for order in orders {
            let flow = try #require(truth.flows[order.details.orderID])
            #expect(flow.status == .completed)
            expectSteps(flow.steps, ExpectedPath.of(.commanded, .happy).steps, exact: true)
        }
    }
}

@Suite(
    "Paths on the RabbitMQ bus", .enabled(if: TestBroker.rabbitMQ.url != nil, TestBroker.skipReason(.rabbitMQ)), .timeLimit(.minutes(5)))
struct RabbitMQPathTests {
    @Test("every path publishes its exact messages and ends in its state", arguments: ChoreographyStyle.allCases)
    func paths(style: ChoreographyStyle) async throws {
        try await DurableBusPathChecks.paths({ try await TestBroker.rabbitMQ.run($0, style: $1, faults: $2) }, style: style)
    }

    @Test("transient failures, duplicates and a poison message behave as in memory")
    func faults() async throws { try await DurableBusPathChecks.faults { try await TestBroker.rabbitMQ.run($0, style: $1, faults: $2) } }

    @Test("a missing subscriber leaves the flow stuck")
    func missingSubscriber() async throws { try await DurableBusPathChecks.missingSubscriber { try await TestBroker.rabbitMQ.run($0, style: $1, faults: $2) } }

    @Test("a service's outage: its backlog waits on the broker and drains when it is back")
    func outage() async throws { try await DurableBusPathChecks.outage { try await TestBroker.rabbitMQ.run($0, style: $1, faults: $2) } }
}

@Suite("Paths on the NATS JetStream bus", .enabled(if: TestBroker.nats.url != nil, TestBroker.skipReason(.nats)), .timeLimit(.minutes(5)))
struct NATSPathTests {
    @Test("every path publishes its exact messages and ends in its state", arguments: ChoreographyStyle.allCases)
    func paths(style: ChoreographyStyle) async throws {
        try await DurableBusPathChecks.paths({ try await TestBroker.nats.run($0, style: $1, faults: $2) }, style: style)
    }

    @Test("transient failures, duplicates and a poison message behave as in memory")
    func faults() async throws { try await DurableBusPathChecks.faults { try await TestBroker.nats.run($0, style: $1, faults: $2) } }

    @Test("a missing subscriber leaves the flow stuck")
    func missingSubscriber() async throws { try await DurableBusPathChecks.missingSubscriber { try await TestBroker.nats.run($0, style: $1, faults: $2) } }

    @Test("a service's outage: its backlog waits on the broker and drains when it is back")
    func outage() async throws { try await DurableBusPathChecks.outage { try await TestBroker.nats.run($0, style: $1, faults: $2) } }
}
