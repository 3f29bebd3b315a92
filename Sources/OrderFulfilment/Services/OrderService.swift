import ChoreoInstrumentation
import Synchronization

/// Order. In the commanded style, the coordinator: it turns events into the next command and
/// decides the order's end, including the compensation (a refund) when paid goods are
/// unavailable. In the chain, it only turns the last event of the other services into the
/// order's end: `GoodsShipped` → `OrderCompleted`; `PaymentRefunded` or `GoodsReleased` →
/// `OrderCancelled`.
public struct OrderService<Bus: MessageBus>: Sendable {
    /// The service's bus connection.
    public let endpoint: ServiceEndpoint<Bus>
    /// Per order, the id of its `PaymentReceived` message: what a refund compensates.
    private let payments = PaymentLedger()

    /// Creates the service.
    public init(endpoint: ServiceEndpoint<Bus>) {
        self.endpoint = endpoint
    }

    /// Subscribes the service's handlers for `style`.
    public func start(style: ChoreographyStyle) async throws {
        let endpoint = endpoint
        switch style {
        case .commanded: try await startCommanded()
        case .chain:
            try await endpoint.on(.goodsShipped) { order, _ in try await endpoint.publish(.orderCompleted, order) }
            try await endpoint.on(.paymentRefunded) { order, _ in try await endpoint.publish(.orderCancelled, order) }
            try await endpoint.on(.goodsReleased) { order, _ in try await endpoint.publish(.orderCancelled, order) }
        }
    }

    private func startCommanded() async throws {
        let endpoint = endpoint
        let payments = payments
        try await endpoint.on(.orderPlaced) { order, _ in try await endpoint.publish(.retrievePayment, order) }
        for paid in [OrderMessageType.paymentReceived, .paymentInvoiced] {
            try await endpoint.on(paid) { order, message in
                payments.record(message.messageID, for: order.orderID)
                try await endpoint.publish(.fetchGoods, order)
            }
        }
        try await endpoint.on(.paymentFailed) { order, _ in try await endpoint.publish(.orderCancelled, order) }
        try await endpoint.on(.goodsFetched) { order, _ in try await endpoint.publish(.shipGoods, order) }
        try await endpoint.on(.goodsShipped) { order, _ in try await endpoint.publish(.orderCompleted, order) }
        try await endpoint.on(.goodsUnavailable) { order, _ in
            try await endpoint.publish(.refundPayment, order, compensating: payments.payment(of: order.orderID))
        }
        try await endpoint.on(.paymentRefunded) { order, _ in try await endpoint.publish(.orderCancelled, order) }
    }
}

/// The order service's memory of received payments, by order id.
final class PaymentLedger: Sendable {
    private let ids = Mutex<[String: String]>([:])

    func record(_ messageID: String?, for orderID: String) {
        guard let messageID else { return }
        ids.withLock { $0[orderID] = messageID }
    }

    func payment(of orderID: String) -> String? {
        ids.withLock { $0[orderID] }
    }
}
