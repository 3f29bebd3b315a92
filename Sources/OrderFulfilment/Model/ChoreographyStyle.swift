/// How the services of the choreography are coupled.
public enum ChoreographyStyle: String, Sendable, Hashable, CaseIterable, Codable {
    /// Event-command transformation: the order service owns the end-to-end logic and turns
    /// each event into the next command (`OrderPlaced` → `RetrievePayment` → `PaymentReceived`
    /// → `FetchGoods` → `GoodsFetched` → `ShipGoods` → `GoodsShipped` → `OrderCompleted`).
    case commanded
    /// Event chain: no order logic. Each service reacts to the previous service's event;
    /// payment and inventory both react to `OrderPlaced` in parallel (inventory reserves the
    /// goods), shipment ships once both the payment and the reservation are done, and order
    /// only turns the last event into `OrderCompleted` or `OrderCancelled`. Inventory releases
    /// its reservation when the payment fails (`GoodsReleased` compensates `GoodsReserved`);
    /// payment refunds by itself when the goods are unavailable (`PaymentRefunded` compensates
    /// `PaymentReceived`).
    case chain
}

/// One delivery an order's flow makes: a message type consumed by a service.
public struct RouteDelivery: Sendable, Hashable {
    /// The consumed message type.
    public var type: OrderMessageType
    /// The consuming service.
    public var service: String
    /// True when a poison message here leaves a flow that reconstruction from spans judges
    /// `failed`, as the truth does: nothing of the flow goes on or ends after it (no timer is
    /// left running) and no compensation ran before it.
    public var poisonable: Bool

    /// Creates a route delivery.
    public init(_ type: OrderMessageType, _ service: String, poisonable: Bool = false) {
        self.type = type
        self.service = service
        self.poisonable = poisonable
    }

    /// The fault target of this delivery.
    public var target: FaultTarget { FaultTarget(service: service, type: type) }
}
