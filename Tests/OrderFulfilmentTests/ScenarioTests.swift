import ChoreoInstrumentation
import ChoreoModel
import OrderFulfilment
import Testing

@Suite("Order scenarios")
struct ScenarioTests {
    static let expectations: [(Scenario, FlowStatus, String, [String])] = [
        (.happy, .completed, "OrderCompleted", [
            "OrderPlaced", "RetrievePayment", "PaymentReceived", "FetchGoods", "GoodsFetched",
            "ShipGoods", "GoodsShipped", "OrderCompleted",
        ]),
        (.declined, .completed, "OrderCancelled", [
            "OrderPlaced", "RetrievePayment", "PaymentFailed", "OrderCancelled",
        ]),
        (.unavailable, .compensated, "OrderCancelled", [
            "OrderPlaced", "RetrievePayment", "PaymentReceived", "FetchGoods", "GoodsUnavailable",
            "RefundPayment", "PaymentRefunded", "OrderCancelled",
        ]),
    ]

    @Test("each scenario publishes its exact message sequence and ends in its state", arguments: expectations)
    func sequence(scenario: Scenario, status: FlowStatus, outcome: String, types: [String]) async throws {
        let order = plan(scenario)
        let (truth, log) = try await runOrders([order])
        let flow = try #require(truth.flows[order.details.orderID])
        #expect(truth.flows.count == 1)
        #expect(flow.types == types)
        #expect(flow.status == status)
        #expect(flow.outcome == outcome)
        #expect(flow.steps.map(\.type.rawValue) == types)
        // The wire agrees with the truth: the same messages, by id.
        let wire = log.of(correlationID: order.details.orderID)
        #expect(Set(wire.compactMap { $0.headers["id"] }) == Set(flow.steps.map(\.messageID)))
        #expect(wire.count == types.count)
    }

    @Test("every message of an order carries its correlation id and names the message that caused it")
    func correlationAndCausation() async throws {
        let orders = [plan(.happy), plan(.declined), plan(.unavailable)]
        let (truth, log) = try await runOrders(orders)
        for order in orders {
            let orderID = order.details.orderID
            let steps = try #require(truth.flows[orderID]?.steps)
            #expect(steps.first?.causationID == nil)
            #expect(steps.dropFirst().map(\.causationID) == steps.dropLast().map(\.messageID), "a chain: each step caused by the previous")
            let wire = Dictionary(uniqueKeysWithValues: log.all.compactMap { m in m.headers["id"].map { ($0, m) } })
            for step in steps {
                let message = try #require(wire[step.messageID])
                #expect(message.headers["correlationid"] == orderID)
                #expect(message.headers["causationid"] == step.causationID)
                #expect(message.headers["type"] == step.type.rawValue)
                #expect(message.headers["source"] == step.service)
                #expect(try OrderDetails(decoding: message.body) == order.details)
            }
        }
    }

    @Test("RefundPayment compensates the PaymentReceived message, on the wire and in the truth")
    func refundCompensatesPayment() async throws {
        let order = plan(.unavailable)
        let (truth, log) = try await runOrders([order])
        let wire = log.of(correlationID: order.details.orderID)
        let payment = try #require(wire.first { $0.headers["type"] == "PaymentReceived" })
        let refund = try #require(wire.first { $0.headers["type"] == "RefundPayment" })
        #expect(refund.headers["compensates"] == payment.headers["id"])
        #expect(refund.headers["compensates"] != nil)
        #expect(wire.filter { $0.headers["compensates"] != nil }.count == 1, "only the refund is a compensation")
        let steps = try #require(truth.flows[order.details.orderID]?.steps)
        #expect(steps.first { $0.type == .refundPayment }?.compensates == steps.first { $0.type == .paymentReceived }?.messageID)
    }
}
