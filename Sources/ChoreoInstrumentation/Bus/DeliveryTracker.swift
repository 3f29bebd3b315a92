import Synchronization

/// Counts unfinished deliveries per consumer group, knows which groups are paused, and wakes
/// the tasks waiting for the bus to become idle or quiescent, or for a group to resume.
///
/// A delivery is unfinished from the moment it is enqueued until it is acknowledged or
/// dead-lettered, including while it waits for a retry or sits in a paused group.
/// - idle: no delivery is unfinished;
/// - quiescent: no delivery of a running (not paused) group is unfinished.
final class DeliveryTracker: Sendable {
    struct State {
        var pending: [String: Int] = [:]
        var total = 0
        /// Unfinished deliveries of groups that are not paused.
        var active = 0
        var paused: Set<String> = []
        var nextID: UInt64 = 0
        var idleWaiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        var quietWaiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        /// Workers of paused groups, by group; resumed with `true` when the group runs again.
        var gateWaiters: [String: [UInt64: CheckedContinuation<Bool, Never>]] = [:]

        mutating func makeID() -> UInt64 {
            nextID += 1
            return nextID
        }

        /// Removes and returns the waiters whose condition now holds.
        mutating func satisfiedWaiters() -> [CheckedContinuation<Void, any Error>] {
            var woken: [CheckedContinuation<Void, any Error>] = []
            if active == 0, !quietWaiters.isEmpty {
                woken += quietWaiters.values
                quietWaiters = [:]
            }
            if total == 0, !idleWaiters.isEmpty {
                woken += idleWaiters.values
                idleWaiters = [:]
            }
            return woken
        }
    }

    let state = Mutex(State())

    /// The number of unfinished deliveries.
    var pending: Int { state.withLock { $0.total } }

    /// Records a new unfinished delivery for `group`.
    func begin(_ group: String) {
        state.withLock { state in
            state.pending[group, default: 0] += 1
            state.total += 1
            if !state.paused.contains(group) { state.active += 1 }
        }
    }

    /// Records a finished delivery of `group`, waking the waiters whose condition now holds.
    func end(_ group: String) {
        let woken = state.withLock { state in
            state.pending[group, default: 0] -= 1
            state.total -= 1
            if !state.paused.contains(group) { state.active -= 1 }
            return state.satisfiedWaiters()
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns once no delivery is unfinished; throws `CancellationError` if cancelled first.
    func waitUntilIdle() async throws {
        try await wait(.idle)
    }

    /// Returns once no delivery of a running group is unfinished; throws `CancellationError` if cancelled first.
    func waitUntilQuiescent() async throws {
        try await wait(.quiescent)
    }

    private enum Condition { case idle, quiescent }

    private func wait(_ condition: Condition) async throws {
        let id = state.withLock { $0.makeID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Action { case resume, cancel, wait }
                let action: Action = state.withLock { state in
                    if condition == .idle ? state.total == 0 : state.active == 0 { return .resume }
                    if Task.isCancelled { return .cancel }
                    switch condition {
                    case .idle: state.idleWaiters[id] = continuation
                    case .quiescent: state.quietWaiters[id] = continuation
                    }
                    return .wait
                }
                switch action {
                case .resume: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                case .wait: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                condition == .idle ? state.idleWaiters.removeValue(forKey: id) : state.quietWaiters.removeValue(forKey: id)
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
