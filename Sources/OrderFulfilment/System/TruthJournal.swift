/// A durable record of the truth, written by the services as they go, for runs whose
/// services live in other processes (the driver reads it back with the run's orders).
///
/// A journal write inside a handler belongs to the handler's transaction where the bus has
/// one (``PostgresTruthJournal``): it counts only if the handler's work commits. The failure
/// of a flow is not journaled (the failing handler's writes are rolled back); it is read from
/// the bus's dead letters instead.
public protocol TruthJournal: Sendable {
    /// Records that a service is publishing `step` in flow `correlationID`.
    func recordPublish(_ step: FlowStep, correlationID: String) async throws
    /// Records that the flow's terminal message `outcome` was handled.
    func recordEnd(correlationID: String, outcome: OrderMessageType) async throws
    /// Records that a message of the flow went to a topic nobody consumes.
    func recordUnrouted(correlationID: String, type: OrderMessageType) async throws
}

/// The idempotent consumer's memory, kept where the service's state is.
public protocol IdempotencyStore: Sendable {
    /// Remembers that `service` handles message `id`; false if it did before. Inside a
    /// transactional handler the memory commits with the handler's work.
    func firstDelivery(of id: String, to service: String) async throws -> Bool
}
