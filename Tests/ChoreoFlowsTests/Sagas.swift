import ChoreoModel

/// Order-fulfilment flows as span scripts, one per scenario the tests need.
enum Sagas {
    /// Order placed, paid, reserved, shipped, completed; every message handled once.
    static func happy(mode: SpanScript.TraceMode = .single) -> SpanScript {
        var s = SpanScript(mode: mode)
        s.publish("m1", "OrderPlaced", by: "order", at: 0)
        s.deliver("m1", to: "payment", at: 10)
        s.publish("m2", "PaymentReceived", by: "payment", causedBy: "m1", at: 11)
        s.deliver("m2", to: "inventory", at: 20)
        s.publish("m3", "InventoryReserved", by: "inventory", causedBy: "m2", at: 21)
        s.deliver("m3", to: "shipment", at: 30)
        s.publish("m4", "ShipmentDispatched", by: "shipment", causedBy: "m3", at: 31)
        s.deliver("m4", to: "order", at: 40)
        s.publish("m5", "OrderCompleted", by: "order", causedBy: "m4", at: 41)
        s.deliver("m5", to: "notification", at: 50)
        return s
    }

    /// The card is declined for good: the order is cancelled, nothing to undo.
    static func declined(mode: SpanScript.TraceMode = .single) -> SpanScript {
        var s = SpanScript(mode: mode)
        s.publish("m1", "OrderPlaced", by: "order", at: 0)
        s.deliver("m1", to: "payment", at: 10)
        s.publish("m2", "PaymentDeclined", by: "payment", causedBy: "m1", at: 11)
        s.deliver("m2", to: "order", at: 20)
        s.publish("m3", "OrderCancelled", by: "order", causedBy: "m2", at: 21)
        s.deliver("m3", to: "notification", at: 30)
        return s
    }

    /// Paid, then goods unavailable: the payment is refunded (compensated) and the order cancelled.
    static func compensated(mode: SpanScript.TraceMode = .single) -> SpanScript {
        var s = SpanScript(mode: mode)
        s.publish("m1", "OrderPlaced", by: "order", at: 0)
        s.deliver("m1", to: "payment", at: 10)
        s.publish("m2", "PaymentReceived", by: "payment", causedBy: "m1", at: 11)
        s.deliver("m2", to: "inventory", at: 20)
        s.publish("m3", "InventoryUnavailable", by: "inventory", causedBy: "m2", at: 21)
        s.deliver("m3", to: "order", at: 30)
        s.publish("m4", "RefundPayment", by: "order", causedBy: "m3", compensates: "m2", at: 31)
        s.deliver("m4", to: "payment", at: 40)
        s.publish("m5", "PaymentRefunded", by: "payment", causedBy: "m4", at: 41)
        s.deliver("m5", to: "order", at: 50)
        s.publish("m6", "OrderCancelled", by: "order", causedBy: "m5", at: 51)
        s.deliver("m6", to: "notification", at: 60)
        return s
    }

    /// The happy path, except that inventory's first attempt fails and is retried.
    static func retried(mode: SpanScript.TraceMode = .single) -> SpanScript {
        var s = SpanScript(mode: mode)
        s.publish("m1", "OrderPlaced", by: "order", at: 0)
        s.deliver("m1", to: "payment", at: 10)
        s.publish("m2", "PaymentReceived", by: "payment", causedBy: "m1", at: 11)
        s.deliver("m2", to: "inventory", attempt: 1, outcome: .retry, error: "db timeout", at: 20)
        s.deliver("m2", to: "inventory", attempt: 2, at: 25)
        s.publish("m3", "InventoryReserved", by: "inventory", causedBy: "m2", at: 26)
        s.deliver("m3", to: "order", at: 30)
        s.publish("m4", "OrderCompleted", by: "order", causedBy: "m3", at: 31)
        s.deliver("m4", to: "notification", at: 40)
        return s
    }

    /// Inventory fails three times; the message is dead-lettered and nothing compensates it.
    static func deadLettered(mode: SpanScript.TraceMode = .single) -> SpanScript {
        var s = SpanScript(mode: mode)
        s.publish("m1", "OrderPlaced", by: "order", at: 0)
        s.deliver("m1", to: "payment", at: 10)
        s.publish("m2", "PaymentReceived", by: "payment", causedBy: "m1", at: 11)
        s.deliver("m2", to: "inventory", attempt: 1, outcome: .retry, error: "db down", at: 20)
        s.deliver("m2", to: "inventory", attempt: 2, outcome: .retry, error: "db down", at: 30)
        s.deliver("m2", to: "inventory", attempt: 3, outcome: .deadLettered, error: "db still down", at: 40)
        return s
    }

    /// Two parallel branches (a chain-style choreography): payment's branch ends in a handled
    /// leaf, inventory's in a dead-lettered message.
    static func failedBranch(mode: SpanScript.TraceMode = .single) -> SpanScript {
        var s = SpanScript(mode: mode)
        s.publish("m1", "OrderPlaced", by: "checkout", at: 0)
        s.deliver("m1", to: "payment", at: 10)
        s.deliver("m1", to: "inventory", at: 10)
        s.publish("m2", "PaymentReceived", by: "payment", causedBy: "m1", at: 11)
        s.deliver("m2", to: "notification", at: 15)
        s.publish("m3", "GoodsReserved", by: "inventory", causedBy: "m1", at: 12)
        s.deliver("m3", to: "shipment", attempt: 1, outcome: .deadLettered, error: "poison", at: 20)
        return s
    }

    /// Paid, and the payment event published but not delivered yet (last activity at 12 ms).
    static func waitingForInventory(mode: SpanScript.TraceMode = .single) -> SpanScript {
        var s = SpanScript(mode: mode)
        s.publish("m1", "OrderPlaced", by: "order", at: 0)
        s.deliver("m1", to: "payment", at: 10)
        s.publish("m2", "PaymentReceived", by: "payment", causedBy: "m1", at: 11)
        return s
    }
}

/// The scenarios by name, for parameterized tests.
enum Scenario: String, CaseIterable, Sendable {
    case happy, declined, compensated, retried, deadLettered, waitingForInventory

    func script(_ mode: SpanScript.TraceMode = .single) -> SpanScript {
        switch self {
        case .happy: Sagas.happy(mode: mode)
        case .declined: Sagas.declined(mode: mode)
        case .compensated: Sagas.compensated(mode: mode)
        case .retried: Sagas.retried(mode: mode)
        case .deadLettered: Sagas.deadLettered(mode: mode)
        case .waitingForInventory: Sagas.waitingForInventory(mode: mode)
        }
    }
}
