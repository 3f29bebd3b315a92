extension ChoreographyStyle {
    /// The deliveries an order of `scenario` makes in this style, in causal order: where checkout
    /// can inject faults. The services implement the paths; this table only aims the faults.
    public func deliveries(of scenario: Scenario) -> [RouteDelivery] {
        switch self {
        case .commanded: Self.commanded(scenario)
        case .chain: Self.chain(scenario)
        }
    }

    private static func commanded(_ scenario: Scenario) -> [RouteDelivery] {
        let start = [RouteDelivery(.orderPlaced, "order", poisonable: true), RouteDelivery(.retrievePayment, "payment", poisonable: true)]
        func fulfil(_ payment: OrderMessageType) -> [RouteDelivery] {
            [
                RouteDelivery(payment, "order", poisonable: true), RouteDelivery(.fetchGoods, "inventory", poisonable: true),
                RouteDelivery(.goodsFetched, "order", poisonable: true), RouteDelivery(.shipGoods, "shipment", poisonable: true),
                RouteDelivery(.goodsShipped, "order", poisonable: true), RouteDelivery(.orderCompleted, "notification"),
            ]
        }
        // A poisoned PaymentDeclined or CreditCardUpdated would leave payment's 7-day deadline
        // running: the flow would go on to OrderCancelled after its failure.
        let declined = [RouteDelivery(.paymentDeclined, "account")]
        switch scenario {
        case .happy: return start + fulfil(.paymentReceived)
        case .vip: return start + fulfil(.paymentInvoiced)
        case .cardUpdated: return start + declined + [RouteDelivery(.creditCardUpdated, "payment")] + fulfil(.paymentReceived)
        case .declined:
            return start + declined + [RouteDelivery(.paymentFailed, "order"), RouteDelivery(.orderCancelled, "notification")]
        case .unavailable:
            return start + [
                RouteDelivery(.paymentReceived, "order", poisonable: true), RouteDelivery(.fetchGoods, "inventory", poisonable: true),
                RouteDelivery(.goodsUnavailable, "order", poisonable: true), RouteDelivery(.refundPayment, "payment"),
                RouteDelivery(.paymentRefunded, "order"), RouteDelivery(.orderCancelled, "notification"),
            ]
        }
    }

    /// In the chain, payment and inventory run in parallel: a poison message on one branch
    /// lets the other branch go on (a declined card's deadline ends in a released reservation
    /// and `OrderCancelled`), so only `GoodsShipped`, after the join, is poisonable. Even there,
    /// the half of the join that did not cause `GoodsShipped` is a handled dead end, which
    /// reconstruction without terminal types reports as the outcome (the truth says none).
    private static func chain(_ scenario: Scenario) -> [RouteDelivery] {
        let placed = [RouteDelivery(.orderPlaced, "payment"), RouteDelivery(.orderPlaced, "inventory")]
        let declined = [RouteDelivery(.paymentDeclined, "account")]
        func ship(_ payment: OrderMessageType) -> [RouteDelivery] {
            [
                RouteDelivery(payment, "shipment"), RouteDelivery(.goodsReserved, "shipment"),
                RouteDelivery(.goodsShipped, "order", poisonable: true), RouteDelivery(.orderCompleted, "notification"),
            ]
        }
        switch scenario {
        case .happy: return placed + ship(.paymentReceived)
        case .vip: return placed + ship(.paymentInvoiced)
        case .cardUpdated: return placed + declined + [RouteDelivery(.creditCardUpdated, "payment")] + ship(.paymentReceived)
        case .declined:
            return placed + declined + [
                RouteDelivery(.goodsReserved, "shipment"), RouteDelivery(.paymentFailed, "inventory"),
                RouteDelivery(.goodsReleased, "order"), RouteDelivery(.orderCancelled, "notification"),
            ]
        case .unavailable:
            return placed + [
                RouteDelivery(.paymentReceived, "shipment"), RouteDelivery(.goodsUnavailable, "payment"),
                RouteDelivery(.paymentRefunded, "order"), RouteDelivery(.orderCancelled, "notification"),
            ]
        }
    }
}
