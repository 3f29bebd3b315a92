import ChoreoModel
import Synchronization

/// Where the services of a run on a broker live, so the run can start them and take them away
/// (an outage) without knowing whether they are tasks of this process or processes of their own.
public protocol ServiceHost: Sendable {
    /// Starts `service` (again, after ``stop(_:)``); returns once it is subscribed.
    func start(_ service: String) async throws
    /// Stops `service` and returns once it has stopped: deliveries it had not acknowledged go
    /// back to the broker, which keeps the group's backlog until it starts again.
    func stop(_ service: String) async
    /// Stops every service.
    func stopAll() async
    /// Returns only when cancelled; throws ``OrderFulfilmentError`` `serviceFailed` as soon as
    /// a started service ends by itself (a crashed process, a service task that failed), so a
    /// run stops at once and says which service failed and how, instead of waiting for orders
    /// that service would have moved on.
    func watchForFailures() async throws
}

/// Services as tasks of this process, each on a bus instance (its own connections) of its own,
/// as if it were a process of its own: stopping one cancels its task and closes its
/// connections. What a service keeps in memory (its idempotent consumer's memory, payment's
/// per-order state, business timers not yet fired) is gone when it stops, as with a process.
public final class InProcessServices<Bus: BrokerBus>: ServiceHost {
    private let system: OrderFulfilmentSystem
    private let makeBus: @Sendable (String) throws -> Bus
    private let running = Mutex<[String: Task<Void, any Error>]>([:])
    private let failureStream: AsyncStream<OrderFulfilmentError>
    private let failures: AsyncStream<OrderFulfilmentError>.Continuation

    /// Creates the host; `makeBus(service)` makes the bus instance a service runs on.
    public init(system: OrderFulfilmentSystem, makeBus: @escaping @Sendable (String) throws -> Bus) {
        self.system = system
        self.makeBus = makeBus
        (failureStream, failures) = AsyncStream.makeStream(of: OrderFulfilmentError.self)
    }

    public func start(_ service: String) async throws {
        let bus = try makeBus(service)
        let ready = ReadyGate()
        let system = system
        let failures = failures
        let task = Task {
            do {
                try await system.runService(service, on: bus, ready: { ready.open(.success(())) })
            } catch {
                ready.open(.failure(error))
                if !Task.isCancelled { failures.yield(OrderFulfilmentError(.serviceFailed, "service \(service) failed: \(error)")) }
                throw error
            }
        }
        running.withLock { $0[service] = task }
        try await ready.wait()
    }

    public func watchForFailures() async throws {
        for await failure in failureStream { throw failure }
    }

    public func stop(_ service: String) async {
        guard let task = running.withLock({ $0.removeValue(forKey: service) }) else { return }
        task.cancel()
        _ = await task.result
    }

    public func stopAll() async {
        let all = running.withLock { running in
            defer { running = [:] }
            return Array(running.values)
        }
        for task in all { task.cancel() }
        for task in all { _ = await task.result }
    }
}
