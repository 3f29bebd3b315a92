#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The body every message of an order carries (JSON): the order and the decisions that
/// checkout drew for it, so that every service acts deterministically, whatever the timing.
public struct OrderDetails: Sendable, Hashable, Codable {
    /// The order id, also the flow's correlation id, e.g. `order-000042`.
    public var orderID: String
    /// The amount to charge, in cents.
    public var amountCents: Int
    /// A VIP customer is invoiced instead of charged.
    public var vip: Bool
    /// Whether the payment provider declines the customer's card.
    public var cardDeclined: Bool
    /// For a declined card: the business days after which the customer updates it; nil: never.
    public var cardUpdateAfterDays: Double?
    /// Whether the warehouse lacks the goods.
    public var goodsUnavailable: Bool
    /// The technical faults injected into this order's handling.
    public var faults: OrderFaults

    /// Creates order details.
    public init(
        orderID: String, amountCents: Int, vip: Bool = false, cardDeclined: Bool = false,
        cardUpdateAfterDays: Double? = nil, goodsUnavailable: Bool = false, faults: OrderFaults = OrderFaults()
    ) {
        self.orderID = orderID
        self.amountCents = amountCents
        self.vip = vip
        self.cardDeclined = cardDeclined
        self.cardUpdateAfterDays = cardUpdateAfterDays
        self.goodsUnavailable = goodsUnavailable
        self.faults = faults
    }

    enum CodingKeys: String, CodingKey {
        case orderID = "order_id"
        case amountCents = "amount_cents"
        case vip
        case cardDeclined = "card_declined"
        case cardUpdateAfterDays = "card_update_after_days"
        case goodsUnavailable = "goods_unavailable"
        case faults
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            orderID: try c.decode(String.self, forKey: .orderID),
            amountCents: try c.decode(Int.self, forKey: .amountCents),
            vip: try c.decodeIfPresent(Bool.self, forKey: .vip) ?? false,
            cardDeclined: try c.decodeIfPresent(Bool.self, forKey: .cardDeclined) ?? false,
            cardUpdateAfterDays: try c.decodeIfPresent(Double.self, forKey: .cardUpdateAfterDays),
            goodsUnavailable: try c.decodeIfPresent(Bool.self, forKey: .goodsUnavailable) ?? false,
            faults: try c.decodeIfPresent(OrderFaults.self, forKey: .faults) ?? OrderFaults()
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(orderID, forKey: .orderID)
        try c.encode(amountCents, forKey: .amountCents)
        try c.encode(vip, forKey: .vip)
        try c.encode(cardDeclined, forKey: .cardDeclined)
        try c.encodeIfPresent(cardUpdateAfterDays, forKey: .cardUpdateAfterDays)
        try c.encode(goodsUnavailable, forKey: .goodsUnavailable)
        if !faults.isEmpty { try c.encode(faults, forKey: .faults) }
    }

    /// The JSON body.
    public func encoded() throws -> [UInt8] {
        Array(try JSONEncoder().encode(self))
    }

    /// Decodes a JSON body; throws a `DecodingError` on a malformed one.
    public init(decoding body: [UInt8]) throws {
        self = try JSONDecoder().decode(OrderDetails.self, from: Data(body))
    }
}
