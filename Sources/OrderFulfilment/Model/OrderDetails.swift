#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The body every message of an order carries (JSON): the order and the decisions that
/// checkout drew for it, so that payment and inventory act deterministically, whatever the timing.
public struct OrderDetails: Sendable, Hashable, Codable {
    /// The order id, also the flow's correlation id, e.g. `order-000042`.
    public var orderID: String
    /// The amount to charge, in cents.
    public var amountCents: Int
    /// Whether the payment provider declines the card.
    public var cardDeclined: Bool
    /// Whether the warehouse lacks the goods.
    public var goodsUnavailable: Bool

    /// Creates order details.
    public init(orderID: String, amountCents: Int, cardDeclined: Bool, goodsUnavailable: Bool) {
        self.orderID = orderID
        self.amountCents = amountCents
        self.cardDeclined = cardDeclined
        self.goodsUnavailable = goodsUnavailable
    }

    enum CodingKeys: String, CodingKey {
        case orderID = "order_id"
        case amountCents = "amount_cents"
        case cardDeclined = "card_declined"
        case goodsUnavailable = "goods_unavailable"
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
