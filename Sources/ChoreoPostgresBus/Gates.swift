import Synchronization

/// Wakes idle consumers: a generation counter per topic, bumped by notifications (and by the
/// poll tick for every topic). A consumer reads the generation before looking for work and,
/// finding none, waits for a newer one, so a notification arriving in between is never missed.
final class Wakeups: Sendable {
    private struct State {
        var generations: [String: UInt64] = [:]
        /// Bumped for every topic at once.
        var epoch: UInt64 = 0

        func generation(_ topic: String) -> UInt64 { generations[topic, default: 0] &+ epoch }
        var waiters: [UInt64: (topic: String, seen: UInt64, continuation: CheckedContinuation<Void, Never>)] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// The current generation of `topic`.
    func generation(_ topic: String) -> UInt64 {
        state.withLock { $0.generation(topic) }
    }

    /// Bumps `topic` (every topic for nil) and wakes its waiters.
    func signal(_ topic: String?) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if let topic {
                state.generations[topic, default: 0] += 1
            } else {
                state.epoch += 1
            }
            let due = state.waiters.filter { topic == nil || $0.value.topic == topic }
            for id in due.keys { state.waiters[id] = nil }
            return due.values.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns once `topic`'s generation exceeds `seen`, or the task is cancelled.
    func wait(_ topic: String, after seen: UInt64) async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state in
                    if state.generation(topic) != seen || Task.isCancelled { return true }
                    state.waiters[id] = (topic, seen, continuation)
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume()
        }
    }
}
