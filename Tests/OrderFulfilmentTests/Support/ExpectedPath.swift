import ChoreoModel
import OrderFulfilment

/// One expected message of a path: its type, the types that may have caused it (several for
/// a join in the chain, empty for the first), and the type it compensates, if any.
struct ExpectedStep: Sendable, CustomStringConvertible {
    var type: OrderMessageType
    var causes: Set<OrderMessageType>
    var compensates: OrderMessageType?

    init(_ type: OrderMessageType, after causes: Set<OrderMessageType> = [], compensates: OrderMessageType? = nil) {
        self.type = type
        self.causes = causes
        self.compensates = compensates
    }

    var description: String { type.rawValue }
}

/// A path through the choreography: its messages and how the flow ends.
struct ExpectedPath: Sendable, CustomStringConvertible {
    var style: ChoreographyStyle
    var scenario: Scenario
    var steps: [ExpectedStep]
    var status: FlowStatus
    var outcome: OrderMessageType?

    var description: String { "\(style.rawValue) \(scenario.rawValue)" }

    /// In the commanded style the publish order is exact; the chain runs two branches in parallel.
    var orderIsExact: Bool { style == .commanded }
}

extension ExpectedPath {
    static let all: [ExpectedPath] = commanded + chain

    static let commanded: [ExpectedPath] = {
        let start = [ExpectedStep(.orderPlaced), ExpectedStep(.retrievePayment, after: [.orderPlaced])]
        func fulfil(after payment: OrderMessageType) -> [ExpectedStep] {
            [
                ExpectedStep(.fetchGoods, after: [payment]), ExpectedStep(.goodsFetched, after: [.fetchGoods]),
                ExpectedStep(.shipGoods, after: [.goodsFetched]), ExpectedStep(.goodsShipped, after: [.shipGoods]),
                ExpectedStep(.orderCompleted, after: [.goodsShipped]),
            ]
        }
        let declined = ExpectedStep(.paymentDeclined, after: [.retrievePayment])
        return [
            ExpectedPath(
                style: .commanded, scenario: .happy,
                steps: start + [ExpectedStep(.paymentReceived, after: [.retrievePayment])] + fulfil(after: .paymentReceived),
                status: .completed, outcome: .orderCompleted),
            ExpectedPath(
                style: .commanded, scenario: .vip,
                steps: start + [ExpectedStep(.paymentInvoiced, after: [.retrievePayment])] + fulfil(after: .paymentInvoiced),
                status: .completed, outcome: .orderCompleted),
            ExpectedPath(
                style: .commanded, scenario: .cardUpdated,
                steps: start + [
                    declined, ExpectedStep(.creditCardUpdated, after: [.paymentDeclined]),
                    ExpectedStep(.paymentReceived, after: [.creditCardUpdated]),
                ] + fulfil(after: .paymentReceived),
                status: .completed, outcome: .orderCompleted),
            ExpectedPath(
                style: .commanded, scenario: .declined,
                steps: start + [
                    declined, ExpectedStep(.paymentFailed, after: [.retrievePayment]),
                    ExpectedStep(.orderCancelled, after: [.paymentFailed]),
                ],
                status: .completed, outcome: .orderCancelled),
            ExpectedPath(
                style: .commanded, scenario: .unavailable,
                steps: start + [
                    ExpectedStep(.paymentReceived, after: [.retrievePayment]), ExpectedStep(.fetchGoods, after: [.paymentReceived]),
                    ExpectedStep(.goodsUnavailable, after: [.fetchGoods]),
                    ExpectedStep(.refundPayment, after: [.goodsUnavailable], compensates: .paymentReceived),
                    ExpectedStep(.paymentRefunded, after: [.refundPayment]),
                    ExpectedStep(.orderCancelled, after: [.paymentRefunded]),
                ],
                status: .compensated, outcome: .orderCancelled),
        ]
    }()

    static let chain: [ExpectedPath] = {
        let placed = ExpectedStep(.orderPlaced)
        let reserved = ExpectedStep(.goodsReserved, after: [.orderPlaced])
        func ship(_ payment: OrderMessageType) -> [ExpectedStep] {
            [
                ExpectedStep(.goodsShipped, after: [payment, .goodsReserved]),
                ExpectedStep(.orderCompleted, after: [.goodsShipped]),
            ]
        }
        return [
            ExpectedPath(
                style: .chain, scenario: .happy,
                steps: [placed, ExpectedStep(.paymentReceived, after: [.orderPlaced]), reserved] + ship(.paymentReceived),
                status: .completed, outcome: .orderCompleted),
            ExpectedPath(
                style: .chain, scenario: .vip,
                steps: [placed, ExpectedStep(.paymentInvoiced, after: [.orderPlaced]), reserved] + ship(.paymentInvoiced),
                status: .completed, outcome: .orderCompleted),
            ExpectedPath(
                style: .chain, scenario: .cardUpdated,
                steps: [
                    placed, ExpectedStep(.paymentDeclined, after: [.orderPlaced]), reserved,
                    ExpectedStep(.creditCardUpdated, after: [.paymentDeclined]),
                    ExpectedStep(.paymentReceived, after: [.creditCardUpdated]),
                ] + ship(.paymentReceived),
                status: .completed, outcome: .orderCompleted),
            // The reservation made in parallel is released: a compensation.
            ExpectedPath(
                style: .chain, scenario: .declined,
                steps: [
                    placed, ExpectedStep(.paymentDeclined, after: [.orderPlaced]), reserved,
                    ExpectedStep(.paymentFailed, after: [.orderPlaced]),
                    ExpectedStep(.goodsReleased, after: [.paymentFailed], compensates: .goodsReserved),
                    ExpectedStep(.orderCancelled, after: [.goodsReleased]),
                ],
                status: .compensated, outcome: .orderCancelled),
            // Payment refunds whichever of the charge and the unavailability it learns last.
            ExpectedPath(
                style: .chain, scenario: .unavailable,
                steps: [
                    placed, ExpectedStep(.paymentReceived, after: [.orderPlaced]),
                    ExpectedStep(.goodsUnavailable, after: [.orderPlaced]),
                    ExpectedStep(.paymentRefunded, after: [.goodsUnavailable, .orderPlaced], compensates: .paymentReceived),
                    ExpectedStep(.orderCancelled, after: [.paymentRefunded]),
                ],
                status: .compensated, outcome: .orderCancelled),
        ]
    }()

    static func of(_ style: ChoreographyStyle, _ scenario: Scenario) -> ExpectedPath {
        all.first { $0.style == style && $0.scenario == scenario }!
    }
}
