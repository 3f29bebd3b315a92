import ChoreoInstrumentation
import ChoreoModel
import OrderFulfilment
import Testing

@Suite("Paths through the choreography", .timeLimit(.minutes(2)))
struct PathTests {
    @Test("each path publishes its exact messages and ends in its state", arguments: ExpectedPath.all)
    func path(_ expected: ExpectedPath) async throws {
        let order = plan(expected.scenario)
        let run = try await simulate([order], style: expected.style)
        let flow = try #require(run.truth.flows[order.details.orderID])
        #expect(run.truth.flows.count == 1)
        #expect(flow.status == expected.status)
        #expect(flow.outcome == expected.outcome?.rawValue)
        #expect(flow.waitingFor == nil)
        #expect(flow.types == flow.steps.map(\.type.rawValue))
        expectSteps(flow.steps, expected.steps, exact: expected.orderIsExact)
        #expect(run.bus.deadLetters.isEmpty)
        #expect(run.bus.statistics.unrouted == 0)
    }

    @Test("the wire agrees with the truth: ids, correlation, causation, compensation, type, source, body", arguments: ExpectedPath.all)
    func wire(_ expected: ExpectedPath) async throws {
        let order = plan(expected.scenario)
        let run = try await simulate([order], style: expected.style)
        let orderID = order.details.orderID
        let steps = try #require(run.truth.flows[orderID]?.steps)
        let wire = Dictionary(run.log.all.map { ($0.message.headers["id"] ?? "", $0.message) }, uniquingKeysWith: { a, _ in a })
        #expect(Set(wire.keys) == Set(steps.map(\.messageID)))
        for step in steps {
            let message = try #require(wire[step.messageID])
            #expect(message.headers["correlationid"] == orderID)
            #expect(message.headers["causationid"] == step.causationID)
            #expect(message.headers["compensates"] == step.compensates)
            #expect(message.headers["type"] == step.type.rawValue)
            #expect(message.headers["source"] == step.service)
            #expect(try OrderDetails(decoding: message.body) == order.details)
        }
    }

    @Test("a card declined for good fails its payment exactly 7 business days after the decline", arguments: ChoreographyStyle.allCases)
    func deadline(style: ChoreographyStyle) async throws {
        let order = plan(.declined)
        let run = try await simulate([order], style: style)
        let declined = try #require(run.log.first(.paymentDeclined, of: order.details.orderID))
        let failed = try #require(run.log.first(.paymentFailed, of: order.details.orderID))
        #expect(abs(failed.days - declined.days - PaymentService<InMemoryBus>.cardDeadlineDays) < 0.001)
        #expect(run.log.first(.creditCardUpdated, of: order.details.orderID) == nil)
    }

    @Test("a customer who updates the card within the deadline gets the charge retried at once", arguments: ChoreographyStyle.allCases)
    func cardUpdate(style: ChoreographyStyle) async throws {
        let order = plan(.cardUpdated)
        let days = try #require(order.details.cardUpdateAfterDays)
        let run = try await simulate([order], style: style)
        let orderID = order.details.orderID
        let declined = try #require(run.log.first(.paymentDeclined, of: orderID))
        let updated = try #require(run.log.first(.creditCardUpdated, of: orderID))
        let received = try #require(run.log.first(.paymentReceived, of: orderID))
        #expect(abs(updated.days - declined.days - days) < 0.001)
        #expect(received.days == updated.days)
        #expect(run.log.first(.paymentFailed, of: orderID) == nil, "the deadline passes without effect")
    }

    @Test("several orders of every path run concurrently without mixing up their state", arguments: ChoreographyStyle.allCases)
    func concurrentPaths(style: ChoreographyStyle) async throws {
        let plans = Scenario.allCases.enumerated().flatMap { offset, scenario in
            (0..<4).map { plan(scenario, index: 1 + offset * 4 + $0) }
        }
        let run = try await simulate(plans, style: style)
        #expect(run.truth.flows.count == plans.count)
        for order in plans {
            let expected = ExpectedPath.of(style, order.scenario)
            let flow = try #require(run.truth.flows[order.details.orderID])
            #expect(flow.status == expected.status, "\(order.details.orderID)")
            expectSteps(flow.steps, expected.steps, exact: expected.orderIsExact)
        }
    }
}
