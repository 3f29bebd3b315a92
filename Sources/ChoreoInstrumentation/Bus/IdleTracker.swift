import Synchronization

/// Counts unfinished deliveries and wakes the tasks waiting for the count to reach zero.
///
/// A delivery is unfinished from the moment it is enqueued until it is acknowledged or
/// dead-lettered, including while it waits for a retry.
final class IdleTracker: Sendable {
    private struct State {
        var pending = 0
        var nextID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
    }

    private let state = Mutex(State())

    /// The number of unfinished deliveries.
    var pending: Int { state.withLock { $0.pending } }

    /// Records a new unfinished delivery.
    func begin() {
        state.withLock { $0.pending += 1 }
    }

    /// Records a finished delivery, waking the waiters when none is left.
    func end() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.pending -= 1
            guard state.pending == 0 else { return [] }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns once no delivery is unfinished; throws `CancellationError` if the task is cancelled first.
    func waitUntilIdle() async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Action { case resume, cancel, wait }
                let action: Action = state.withLock { state in
                    if state.pending == 0 { return .resume }
                    if Task.isCancelled { return .cancel }
                    state.waiters[id] = continuation
                    return .wait
                }
                switch action {
                case .resume: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                case .wait: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
