import ChoreoInstrumentation

/// Where a service's business timers run: a named job that fires `days` business days after
/// it was scheduled, with the order it was scheduled for, in the message and trace context of
/// the handler that scheduled it (its publishes belong to the same flow and name the same cause).
///
/// ``BusinessTimers`` keeps the jobs in memory (they die with the process);
/// ``PostgresServiceTimers`` stores them as delayed messages in the scheduling handler's
/// transaction, so a restarted process fires them.
public protocol ServiceTimers: Sendable {
    /// Declares job `name` of `service`; call it once per name, before the service schedules it
    /// (a durable implementation subscribes here). `fire` runs for each scheduled job.
    func register(
        _ name: String, service: String, fire: @escaping @Sendable (OrderDetails) async throws -> Void
    ) async throws

    /// Schedules job `name` for `order`, `days` business days from now. `fire` is the same work
    /// as registered (an in-memory implementation runs it; a durable one runs the registered one).
    func schedule(
        _ name: String, afterDays days: Double, order: OrderDetails,
        fire: @escaping @Sendable (OrderDetails) async throws -> Void
    ) async throws
}

extension BusinessTimers: ServiceTimers {
    /// Nothing to declare: jobs are closures kept in memory.
    public func register(
        _ name: String, service: String, fire: @escaping @Sendable (OrderDetails) async throws -> Void
    ) async throws {}

    /// Schedules `fire(order)` in memory (see ``schedule(afterDays:_:)``).
    public func schedule(
        _ name: String, afterDays days: Double, order: OrderDetails,
        fire: @escaping @Sendable (OrderDetails) async throws -> Void
    ) async throws {
        try schedule(afterDays: days) { try await fire(order) }
    }
}
