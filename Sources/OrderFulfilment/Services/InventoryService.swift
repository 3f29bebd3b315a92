import ChoreoInstrumentation
import Synchronization

/// Inventory. Commanded: picks the goods (`FetchGoods` → `GoodsFetched` or `GoodsUnavailable`).
/// Chain: reserves them as soon as the order is placed (`OrderPlaced` → `GoodsReserved` or
/// `GoodsUnavailable`) and releases the reservation when the payment fails
/// (`PaymentFailed` → `GoodsReleased`, compensating `GoodsReserved`).
public struct InventoryService<Bus: MessageBus>: Sendable {
    /// The service's bus connection.
    public let endpoint: ServiceEndpoint<Bus>
    /// Per order, the id of its `GoodsReserved` message: what a release compensates.
    private let reservations = ReservationBook()

    /// Creates the service.
    public init(endpoint: ServiceEndpoint<Bus>) {
        self.endpoint = endpoint
    }

    /// Subscribes the service's handlers for `style`.
    public func start(style: ChoreographyStyle) async throws {
        let endpoint = endpoint
        let reservations = reservations
        switch style {
        case .commanded:
            try await endpoint.on(.fetchGoods) { order, _ in
                try await endpoint.publish(order.goodsUnavailable ? .goodsUnavailable : .goodsFetched, order)
            }
        case .chain:
            try await endpoint.on(.orderPlaced) { order, _ in
                if order.goodsUnavailable {
                    try await endpoint.publish(.goodsUnavailable, order)
                    return
                }
                let id = try await endpoint.publish(.goodsReserved, order)
                reservations.record(id, for: order.orderID)
            }
            try await endpoint.on(.paymentFailed) { order, _ in
                let reservation = reservations.release(order.orderID)
                try await endpoint.publish(.goodsReleased, order, compensating: reservation)
            }
        }
    }
}

/// Inventory's reservations: per order, the id of its `GoodsReserved` message.
final class ReservationBook: Sendable {
    private let ids = Mutex<[String: String]>([:])

    func record(_ messageID: String, for orderID: String) {
        ids.withLock { $0[orderID] = messageID }
    }

    /// Forgets the reservation of `orderID` and returns its message id, if there was one.
    func release(_ orderID: String) -> String? {
        ids.withLock { $0.removeValue(forKey: orderID) }
    }
}
