import ChoreoInstrumentation
import ChoreoModel
import OrderFulfilment
import Testing

@Suite("Faults on the paths", .timeLimit(.minutes(2)))
struct FaultPathTests {
    /// A delivery of the happy path in each style, and where a poison message can go.
    static func target(_ style: ChoreographyStyle) -> FaultTarget {
        style == .commanded ? FaultTarget(service: "inventory", type: .fetchGoods) : FaultTarget(service: "shipment", type: .goodsReserved)
    }

    @Test("a transient failure is retried with backoff and the order goes on unchanged", arguments: ChoreographyStyle.allCases)
    func transient(style: ChoreographyStyle) async throws {
        let order = plan(.happy, faults: OrderFaults(transient: Self.target(style), transientFailures: 2))
        let run = try await simulate([order], style: style)
        let flow = try #require(run.truth.flows[order.details.orderID])
        let expected = ExpectedPath.of(style, .happy)
        #expect(flow.status == .completed)
        #expect(flow.outcome == "OrderCompleted")
        expectSteps(flow.steps, expected.steps, exact: expected.orderIsExact)
        #expect(run.bus.statistics.retried == 2)
        #expect(run.bus.deadLetters.isEmpty)
        #expect(run.clock.sleeps == [.milliseconds(100), .milliseconds(200)], "exponential backoff")
    }

    @Test(
        "a poison message fails every attempt, is dead-lettered, and the flow fails with no outcome",
        arguments: [
            (
                ChoreographyStyle.commanded, FaultTarget(service: "inventory", type: .fetchGoods),
                [OrderMessageType.orderPlaced, .retrievePayment, .paymentReceived, .fetchGoods]
            ),
            (.chain, FaultTarget(service: "order", type: .goodsShipped), [.orderPlaced, .paymentReceived, .goodsReserved, .goodsShipped]),
        ])
    func poison(style: ChoreographyStyle, target: FaultTarget, types: [OrderMessageType]) async throws {
        let order = plan(.happy, faults: OrderFaults(poison: target))
        let run = try await simulate([order], style: style)
        let flow = try #require(run.truth.flows[order.details.orderID])
        #expect(flow.status == .failed)
        #expect(flow.outcome == nil)
        if style == .commanded {
            #expect(flow.types == types.map(\.rawValue), "the commanded style publishes in causal order")
        } else {
            #expect(flow.types.sorted() == types.map(\.rawValue).sorted())
        }
        let letter = try #require(run.bus.deadLetters.first)
        #expect(run.bus.deadLetters.count == 1)
        #expect(letter.group == target.service)
        #expect(letter.message.headers["type"] == target.type.rawValue)
        #expect(letter.attempts == InMemoryBus.Configuration().maxAttempts)
        #expect(letter.errorType == "InjectedFault")
    }

    @Test(
        "a duplicate delivery is ignored by the idempotent consumer: the path is unchanged",
        arguments: [
            (ChoreographyStyle.commanded, FaultTarget(service: "order", type: .paymentReceived)),
            (.chain, FaultTarget(service: "shipment", type: .paymentReceived)),
            (.chain, FaultTarget(service: "payment", type: .orderPlaced)),
        ])
    func duplicate(style: ChoreographyStyle, target: FaultTarget) async throws {
        let order = plan(.happy, faults: OrderFaults(duplicate: target))
        let run = try await simulate([order], style: style)
        let flow = try #require(run.truth.flows[order.details.orderID])
        let expected = ExpectedPath.of(style, .happy)
        #expect(flow.status == .completed)
        expectSteps(flow.steps, expected.steps, exact: expected.orderIsExact)
        #expect(run.bus.statistics.duplicated == 1)
        let message = try #require(run.log.first(target.type, of: order.details.orderID)?.message)
        #expect(message.headers[InMemoryBus.duplicateDeliveryHeader] == target.service)
    }

    @Test("during an outage the stopped service's backlog waits; it drains when the service returns", arguments: ChoreographyStyle.allCases)
    func outage(style: ChoreographyStyle) async throws {
        let plans = (1...3).map { plan(.happy, index: $0) }
        let faults = FaultSettings(outage: .init(service: "inventory", startsAfterDays: 0, lastsDays: 1))
        // Paused before the first order, so the outage surely covers them; the timer resumes it.
        let run = try await simulate(plans, style: style, faults: faults) { bus in bus.pause(group: "inventory") }
        for order in plans {
            let orderID = order.details.orderID
            let flow = try #require(run.truth.flows[orderID])
            #expect(flow.status == .completed)
            let expected = ExpectedPath.of(style, .happy)
            expectSteps(flow.steps, expected.steps, exact: expected.orderIsExact)
            let inventory: OrderMessageType = style == .commanded ? .goodsFetched : .goodsReserved
            let handled = try #require(run.log.first(inventory, of: orderID))
            #expect(handled.days >= 1, "inventory handled \(orderID) only after the outage")
            let payment = try #require(run.log.first(.paymentReceived, of: orderID))
            #expect(payment.days < 1, "the other services went on during the outage")
        }
        #expect(run.bus.pausedGroups.isEmpty)
    }

    struct MissingCase: Sendable, CustomStringConvertible {
        var style: ChoreographyStyle
        var service: String
        var scenario: Scenario
        var types: [OrderMessageType]
        var waitingFor: Set<OrderMessageType>
        var description: String { "\(style.rawValue) without \(service), \(scenario.rawValue)" }
    }

    static let missingCases = [
        MissingCase(
            style: .commanded, service: "shipment", scenario: .happy,
            types: [.orderPlaced, .retrievePayment, .paymentReceived, .fetchGoods, .goodsFetched, .shipGoods], waitingFor: [.shipGoods]),
        MissingCase(
            style: .chain, service: "shipment", scenario: .happy,
            types: [.orderPlaced, .paymentReceived, .goodsReserved], waitingFor: [.paymentReceived, .goodsReserved]),
        // The deadline still runs out: the flow moves on, but PaymentDeclined stays unconsumed.
        MissingCase(
            style: .commanded, service: "account", scenario: .declined,
            types: [.orderPlaced, .retrievePayment, .paymentDeclined, .paymentFailed, .orderCancelled], waitingFor: [.paymentDeclined]),
        MissingCase(
            style: .chain, service: "account", scenario: .declined,
            types: [.orderPlaced, .paymentDeclined, .goodsReserved, .paymentFailed, .goodsReleased, .orderCancelled],
            waitingFor: [.paymentDeclined]),
    ]

    @Test("a missing subscriber leaves its flows stuck, waiting for the message nobody consumes", arguments: missingCases)
    func missingSubscriber(_ c: MissingCase) async throws {
        let order = plan(c.scenario)
        let run = try await simulate([order], style: c.style, faults: FaultSettings(missingSubscriber: c.service))
        let flow = try #require(run.truth.flows[order.details.orderID])
        #expect(flow.status == .stuck)
        #expect(flow.outcome == nil)
        if c.style == .commanded {
            #expect(flow.types == c.types.map(\.rawValue), "the commanded style publishes in causal order")
        } else {
            #expect(flow.types.sorted() == c.types.map(\.rawValue).sorted())
        }
        let waiting = try #require(flow.waitingFor.flatMap(OrderMessageType.init(rawValue:)))
        #expect(c.waitingFor.contains(waiting))
        #expect(flow.types.first { t in c.waitingFor.contains { $0.rawValue == t } } == waiting.rawValue, "the first one published")
        #expect(run.bus.statistics.unrouted == c.waitingFor.count)
        #expect(!run.bus.hasSubscribers(topic: waiting.topic))
    }
}
