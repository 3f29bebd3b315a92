import ChoreoInstrumentation
import ChoreoRabbitMQBus

extension RabbitMQBus: BrokerBus {
    /// The ready messages of the subscriptions' queues and of the retry queues, plus what this
    /// instance's handlers are working on (``RabbitMQBus/pendingDeliveries(subscriptions:)``).
    public func pendingDeliveries(of subscriptions: [BrokerSubscription]) async throws -> Int {
        try await pendingDeliveries(subscriptions: subscriptions.map { (topic: $0.topic, group: $0.group) })
    }
}
