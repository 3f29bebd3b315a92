import ChoreoInstrumentation

/// Checkout: places orders. Each `OrderPlaced` starts a flow whose correlation id is the order id.
public struct CheckoutService<Bus: MessageBus>: Sendable {
    /// The service's bus connection.
    public let endpoint: ServiceEndpoint<Bus>

    /// Creates the service.
    public init(endpoint: ServiceEndpoint<Bus>) {
        self.endpoint = endpoint
    }

    /// Publishes `OrderPlaced` for the plan's order; returns the order id (the correlation id).
    @discardableResult
    public func place(_ plan: OrderPlan) async throws -> String {
        let orderID = plan.details.orderID
        try await endpoint.publish(.orderPlaced, plan.details, correlationID: orderID)
        return orderID
    }
}
