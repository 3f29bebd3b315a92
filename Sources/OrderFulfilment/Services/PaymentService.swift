import ChoreoInstrumentation

/// Payment: charges the card (`RetrievePayment` → `PaymentReceived` or `PaymentFailed`) and
/// refunds it (`RefundPayment` → `PaymentRefunded`).
public struct PaymentService<Bus: MessageBus>: Sendable {
    /// The service's bus connection.
    public let endpoint: ServiceEndpoint<Bus>

    /// Creates the service.
    public init(endpoint: ServiceEndpoint<Bus>) {
        self.endpoint = endpoint
    }

    /// Subscribes the service's handlers.
    public func start() async throws {
        let endpoint = endpoint
        try await endpoint.on(.retrievePayment) { order, _ in
            try await endpoint.publish(order.cardDeclined ? .paymentFailed : .paymentReceived, order)
        }
        try await endpoint.on(.refundPayment) { order, _ in try await endpoint.publish(.paymentRefunded, order) }
    }
}
