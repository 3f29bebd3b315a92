import ChoreoInstrumentation
import Synchronization

/// Opens once ``RabbitMQBus/run()`` runs (or closes for good when it ended); callers wait for it
/// with a time limit.
final class ReadyGate: Sendable {
    enum Status { case waiting, open, ended }

    private struct State {
        var status = Status.waiting
        var nextID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Status, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Opens or ends the gate, waking every waiter.
    func set(_ status: Status) {
        let waiters = state.withLock { state in
            state.status = status
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    /// Returns at once when open; waits up to `timeout` while the bus has not started.
    ///
    /// - Throws: ``BusError`` `notRunning` when run() ended or did not start in time.
    func wait(timeout: Duration) async throws {
        let now = state.withLock { $0.status }
        if now == .open { return }
        if now == .ended { throw Self.ended }
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        let status = await withTaskGroup(of: Status.self) { group in
            group.addTask {
                await withCheckedContinuation { (continuation: CheckedContinuation<Status, Never>) in
                    let current = self.state.withLock { state -> Status? in
                        if state.status != .waiting { return state.status }
                        state.waiters[id] = continuation
                        return nil
                    }
                    if let current { continuation.resume(returning: current) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
                waiter?.resume(returning: .waiting)
                return .waiting
            }
            let first = await group.next() ?? .waiting
            group.cancelAll()
            return first
        }
        switch status {
        case .open: return
        case .ended: throw Self.ended
        case .waiting: throw BusError(.notRunning, "the RabbitMQ bus did not start within \(timeout); call run() first")
        }
    }

    static var ended: BusError { BusError(.notRunning, "the RabbitMQ bus is not running; run() ended") }
}
