import ChoreoInstrumentation

/// Inventory: picks the goods (`FetchGoods` → `GoodsFetched` or `GoodsUnavailable`).
public struct InventoryService<Bus: MessageBus>: Sendable {
    /// The service's bus connection.
    public let endpoint: ServiceEndpoint<Bus>

    /// Creates the service.
    public init(endpoint: ServiceEndpoint<Bus>) {
        self.endpoint = endpoint
    }

    /// Subscribes the service's handlers.
    public func start() async throws {
        let endpoint = endpoint
        try await endpoint.on(.fetchGoods) { order, _ in
            try await endpoint.publish(order.goodsUnavailable ? .goodsUnavailable : .goodsFetched, order)
        }
    }
}
