import Synchronization

/// The driver's view of which of its orders have settled, fed by polling the journal.
final class SettlementWatch: Sendable {
    private struct State {
        var open: Set<String> = []
        var settled = 0
        var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let state = Mutex(State())

    /// Orders placed and not yet seen settled.
    var open: [String] { state.withLock { Array($0.open) } }

    /// Orders seen settled.
    var settledCount: Int { state.withLock { $0.settled } }

    /// Starts watching `id` (before it is placed).
    func watch(_ id: String) {
        state.withLock { _ = $0.open.insert(id) }
    }

    /// Records settled orders and wakes their waiters.
    func settled(_ ids: Set<String>) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            var woken: [CheckedContinuation<Void, Never>] = []
            for id in ids where state.open.remove(id) != nil {
                state.settled += 1
                woken += state.waiters.removeValue(forKey: id) ?? []
            }
            return woken
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns once `id` was seen settled.
    func waitUntilSettled(_ id: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if !state.open.contains(id) { return true }
                state.waiters[id, default: []].append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
