import ChoreoInstrumentation

/// Notification: emails the customer when an order ends (`OrderCompleted`, `OrderCancelled`).
/// It publishes nothing; handling the terminal message ends the flow in the truth.
public struct NotificationService<Bus: MessageBus>: Sendable {
    /// The service's bus connection.
    public let endpoint: ServiceEndpoint<Bus>

    /// Creates the service.
    public init(endpoint: ServiceEndpoint<Bus>) {
        self.endpoint = endpoint
    }

    /// Subscribes the service's handlers (the same in both styles).
    public func start() async throws {
        let endpoint = endpoint
        for terminal in [OrderMessageType.orderCompleted, .orderCancelled] {
            try await endpoint.on(terminal) { _, message in
                // The email would be sent here.
                try await endpoint.recordEnd(correlationID: message.correlationID, outcome: terminal)
            }
        }
    }
}
