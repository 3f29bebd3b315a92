import ChoreoInstrumentation
import Synchronization

/// Shipment. Commanded: ships on command (`ShipGoods` → `GoodsShipped`). Chain: ships once both
/// the payment (`PaymentReceived` or `PaymentInvoiced`) and the reservation (`GoodsReserved`)
/// are done, whichever arrives last; the message completing the pair causes `GoodsShipped`.
public struct ShipmentService<Bus: MessageBus>: Sendable {
    /// The service's bus connection.
    public let endpoint: ServiceEndpoint<Bus>
    private let join = ShipmentJoin()

    /// Creates the service.
    public init(endpoint: ServiceEndpoint<Bus>) {
        self.endpoint = endpoint
    }

    /// Subscribes the service's handlers for `style`.
    public func start(style: ChoreographyStyle) async throws {
        let endpoint = endpoint
        let join = join
        switch style {
        case .commanded:
            try await endpoint.on(.shipGoods) { order, _ in try await endpoint.publish(.goodsShipped, order) }
        case .chain:
            for paid in [OrderMessageType.paymentReceived, .paymentInvoiced] {
                try await endpoint.on(paid) { order, _ in
                    if join.paid(order.orderID) { try await endpoint.publish(.goodsShipped, order) }
                }
            }
            try await endpoint.on(.goodsReserved) { order, _ in
                if join.reserved(order.orderID) { try await endpoint.publish(.goodsShipped, order) }
            }
        }
    }
}

/// Which half of the chain's payment-and-reservation pair shipment has seen, per order.
///
/// An order whose other half never comes (its goods were unavailable, its payment failed)
/// stays here; at most ``capacity`` such orders are kept, the oldest are dropped.
final class ShipmentJoin: Sendable {
    private struct State {
        var halves: [String: (paid: Bool, reserved: Bool)] = [:]
        var arrival: [String] = []
    }

    let capacity = 100_000
    private let state = Mutex(State())

    /// Records the payment; true when the reservation was there already (ship now).
    func paid(_ orderID: String) -> Bool { complete(orderID) { $0.paid = true } }

    /// Records the reservation; true when the payment was there already (ship now).
    func reserved(_ orderID: String) -> Bool { complete(orderID) { $0.reserved = true } }

    private func complete(_ orderID: String, _ mark: (inout (paid: Bool, reserved: Bool)) -> Void) -> Bool {
        state.withLock { state in
            var halves = state.halves[orderID] ?? (false, false)
            if state.halves[orderID] == nil { state.arrival.append(orderID) }
            mark(&halves)
            guard !(halves.paid && halves.reserved) else {
                state.halves[orderID] = nil
                return true
            }
            state.halves[orderID] = halves
            if state.arrival.count > capacity { state.halves[state.arrival.removeFirst()] = nil }
            return false
        }
    }
}
