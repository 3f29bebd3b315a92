import ChoreoInstrumentation

/// Payment: charges the card, or invoices a VIP customer.
///
/// - A declined card: `PaymentDeclined` (account asks the customer for a new card), then payment
///   waits for `CreditCardUpdated` up to a deadline of ``cardDeadlineDays`` business days; a new
///   card retries the charge, the deadline ends in `PaymentFailed`.
/// - Commanded: `RetrievePayment` → `PaymentReceived` | `PaymentInvoiced` | `PaymentDeclined`;
///   `RefundPayment` → `PaymentRefunded`.
/// - Chain: `OrderPlaced` → the same events; `GoodsUnavailable` → `PaymentRefunded`, which
///   compensates the `PaymentReceived` (whichever of charge and unavailability comes first).
public struct PaymentService<Bus: MessageBus>: Sendable {
    /// The business days a declined card may be updated in.
    public static var cardDeadlineDays: Double { 7 }

    /// The service's bus connection.
    public let endpoint: ServiceEndpoint<Bus>
    /// Where the deadlines run.
    public let timers: any ServiceTimers
    let book: any PaymentRecords

    /// The name of the card-update deadline job (``ServiceTimers``).
    static var deadlineJob: String { "payment.card-deadline" }

    /// Creates the service; its per-order state lives in memory.
    public init(endpoint: ServiceEndpoint<Bus>, timers: any ServiceTimers) {
        self.init(endpoint: endpoint, timers: timers, book: PaymentBook())
    }

    /// Creates the service with its per-order state in `book`.
    init(endpoint: ServiceEndpoint<Bus>, timers: any ServiceTimers, book: any PaymentRecords) {
        self.endpoint = endpoint
        self.timers = timers
        self.book = book
    }

    /// Subscribes the service's handlers for `style`.
    public func start(style: ChoreographyStyle) async throws {
        let endpoint = endpoint
        let book = book
        try await timers.register(Self.deadlineJob, service: endpoint.service) { order in try await expire(order) }
        switch style {
        case .commanded:
            try await endpoint.on(.retrievePayment) { order, _ in try await charge(order) }
            try await endpoint.on(.refundPayment) { order, _ in try await endpoint.publish(.paymentRefunded, order) }
        case .chain:
            try await endpoint.on(.orderPlaced) { order, _ in try await charge(order) }
            try await endpoint.on(.goodsUnavailable) { order, _ in
                guard let payment = try await book.goodsUnavailable(order.orderID) else { return }
                try await endpoint.publish(.paymentRefunded, order, compensating: payment)
            }
        }
        try await endpoint.on(.creditCardUpdated) { order, _ in
            // A card updated after the deadline changes nothing: the order is cancelled.
            guard try await book.takeCardUpdate(order.orderID) else { return }
            try await settle(order, as: .paymentReceived)
        }
    }

    /// Charges the order's card (or invoices a VIP), or starts waiting for a new card.
    private func charge(_ order: OrderDetails) async throws {
        if order.vip { return try await settle(order, as: .paymentInvoiced) }
        guard order.cardDeclined else { return try await settle(order, as: .paymentReceived) }
        try await book.awaitCard(order.orderID)
        try await timers.schedule(Self.deadlineJob, afterDays: Self.cardDeadlineDays, order: order) { order in
            try await expire(order)
        }
        try await endpoint.publish(.paymentDeclined, order)
    }

    /// The card deadline passed: the payment fails unless a new card came first.
    private func expire(_ order: OrderDetails) async throws {
        guard try await book.expire(order.orderID) else { return }
        try await endpoint.publish(.paymentFailed, order)
    }

    /// Publishes the payment; refunds it at once if the goods are already known to be unavailable.
    private func settle(_ order: OrderDetails, as type: OrderMessageType) async throws {
        let id = try await endpoint.publish(type, order)
        if let refund = try await book.charged(order.orderID, messageID: id) {
            try await endpoint.publish(.paymentRefunded, order, compensating: refund)
        }
    }
}
