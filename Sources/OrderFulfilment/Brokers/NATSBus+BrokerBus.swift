import ChoreoInstrumentation
import ChoreoNATSBus

extension NATSBus: BrokerBus {
    /// Every consumer of the system counts, whatever `subscriptions` says: JetStream reports
    /// each consumer's pending and unacknowledged messages (``NATSBus/pendingDeliveries()``).
    public func pendingDeliveries(of subscriptions: [BrokerSubscription]) async throws -> Int {
        try await pendingDeliveries()
    }
}
