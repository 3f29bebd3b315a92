/// The messages of the order-fulfilment choreography: events (what happened) and, in the
/// commanded style, the commands the order service sends.
///
/// Topics: one topic per message type, named after the type (`OrderPlaced`, `RetrievePayment`,
/// ...). A service subscribes to the types it consumes with its name as consumer group, so
/// several instances of a service compete for deliveries, and a new consumer (e.g. an audit
/// service) can listen to any type without changing the publisher.
///
/// Who publishes what, and who consumes it (see ``ChoreographyStyle``):
///
/// | type | publisher | commanded: consumer | chain: consumer |
/// | --- | --- | --- | --- |
/// | `OrderPlaced` | checkout | order | payment, inventory |
/// | `RetrievePayment` | order | payment | — |
/// | `PaymentReceived`, `PaymentInvoiced` (VIP) | payment | order | shipment |
/// | `PaymentDeclined` | payment | account | account |
/// | `CreditCardUpdated` | account | payment | payment |
/// | `PaymentFailed` | payment | order | inventory |
/// | `FetchGoods` | order | inventory | — |
/// | `GoodsFetched` | inventory | order | — |
/// | `GoodsReserved` | inventory | — | shipment |
/// | `GoodsUnavailable` | inventory | order | payment |
/// | `GoodsReleased` (compensates `GoodsReserved`) | inventory | — | order |
/// | `ShipGoods` | order | shipment | — |
/// | `GoodsShipped` | shipment | order | order |
/// | `RefundPayment` (compensates `PaymentReceived`) | order | payment | — |
/// | `PaymentRefunded` (chain: compensates `PaymentReceived`) | payment | order | order |
/// | `OrderCompleted`, `OrderCancelled` | order | notification | notification |
public enum OrderMessageType: String, Sendable, Hashable, CaseIterable, Codable {
    case orderPlaced = "OrderPlaced"
    case retrievePayment = "RetrievePayment"
    case paymentReceived = "PaymentReceived"
    case paymentInvoiced = "PaymentInvoiced"
    case paymentDeclined = "PaymentDeclined"
    case creditCardUpdated = "CreditCardUpdated"
    case paymentFailed = "PaymentFailed"
    case fetchGoods = "FetchGoods"
    case goodsFetched = "GoodsFetched"
    case goodsReserved = "GoodsReserved"
    case goodsUnavailable = "GoodsUnavailable"
    case goodsReleased = "GoodsReleased"
    case shipGoods = "ShipGoods"
    case goodsShipped = "GoodsShipped"
    case refundPayment = "RefundPayment"
    case paymentRefunded = "PaymentRefunded"
    case orderCompleted = "OrderCompleted"
    case orderCancelled = "OrderCancelled"

    /// The topic messages of this type are published to.
    public var topic: String { rawValue }

    /// True for the messages that end a flow.
    public var isTerminal: Bool { self == .orderCompleted || self == .orderCancelled }
}
