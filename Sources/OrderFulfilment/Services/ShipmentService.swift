import ChoreoInstrumentation

/// Shipment: ships the goods (`ShipGoods` → `GoodsShipped`).
public struct ShipmentService<Bus: MessageBus>: Sendable {
    /// The service's bus connection.
    public let endpoint: ServiceEndpoint<Bus>

    /// Creates the service.
    public init(endpoint: ServiceEndpoint<Bus>) {
        self.endpoint = endpoint
    }

    /// Subscribes the service's handlers.
    public func start() async throws {
        let endpoint = endpoint
        try await endpoint.on(.shipGoods) { order, _ in try await endpoint.publish(.goodsShipped, order) }
    }
}
