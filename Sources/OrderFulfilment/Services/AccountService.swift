import ChoreoInstrumentation

/// Account: keeps the customers' payment methods. When a card is declined (`PaymentDeclined`)
/// it asks the customer to update it; when the customer does, it publishes
/// `CreditCardUpdated` (caused by the `PaymentDeclined`), for payment to retry the charge.
///
/// The customers are simulated: an order's ``OrderDetails/cardUpdateAfterDays`` says when
/// (in business days) its customer updates the card; nil means never. The same in both styles.
public struct AccountService<Bus: MessageBus>: Sendable {
    /// The service's bus connection.
    public let endpoint: ServiceEndpoint<Bus>
    /// Where the customers' delayed reactions run.
    public let timers: any ServiceTimers

    /// The name of the simulated customer's card-update job (``ServiceTimers``).
    static var cardUpdateJob: String { "account.card-update" }

    /// Creates the service.
    public init(endpoint: ServiceEndpoint<Bus>, timers: any ServiceTimers) {
        self.endpoint = endpoint
        self.timers = timers
    }

    /// Subscribes the service's handlers.
    public func start() async throws {
        let endpoint = endpoint
        let timers = timers
        let update: @Sendable (OrderDetails) async throws -> Void = { order in
            try await endpoint.publish(.creditCardUpdated, order)
        }
        try await timers.register(Self.cardUpdateJob, service: endpoint.service, fire: update)
        try await endpoint.on(.paymentDeclined) { order, _ in
            // The email asking for a new card would be sent here.
            guard let days = order.cardUpdateAfterDays else { return }
            try await timers.schedule(Self.cardUpdateJob, afterDays: days, order: order, fire: update)
        }
    }
}
