extension DeliveryTracker {
    /// Pauses `group`: its workers hold their next delivery until ``resume(_:)``, and its
    /// unfinished deliveries stop counting against quiescence. Returns false if it was paused.
    @discardableResult
    func pause(_ group: String) -> Bool {
        let woken = state.withLock { state -> [CheckedContinuation<Void, any Error>]? in
            guard state.paused.insert(group).inserted else { return nil }
            state.active -= state.pending[group, default: 0]
            return state.satisfiedWaiters()
        }
        for waiter in woken ?? [] { waiter.resume() }
        return woken != nil
    }

    /// Resumes `group`: its held deliveries proceed. Returns false if it was not paused.
    @discardableResult
    func resume(_ group: String) -> Bool {
        let gates = state.withLock { state -> [CheckedContinuation<Bool, Never>]? in
            guard state.paused.remove(group) != nil else { return nil }
            state.active += state.pending[group, default: 0]
            return state.gateWaiters.removeValue(forKey: group).map { Array($0.values) } ?? []
        }
        for gate in gates ?? [] { gate.resume(returning: true) }
        return gates != nil
    }

    /// The paused groups.
    var paused: Set<String> { state.withLock { $0.paused } }

    /// Returns true at once if `group` runs, or once it is resumed; false if cancelled first.
    func waitUntilRunning(_ group: String) async -> Bool {
        let id = state.withLock { $0.makeID() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let ready: Bool? = state.withLock { state in
                    if !state.paused.contains(group) { return true }
                    if Task.isCancelled { return false }
                    state.gateWaiters[group, default: [:]][id] = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.gateWaiters[group]?.removeValue(forKey: id) }
            waiter?.resume(returning: false)
        }
    }
}
