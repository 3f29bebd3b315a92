import Synchronization

/// Holds handlers until `opensAt` of them are inside at once, recording the peak.
final class Gate: Sendable {
    private struct State {
        var active = 0, maxActive = 0, entered = 0, open = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())
    private let opensAt: Int

    init(opensAt: Int) { self.opensAt = opensAt }

    var maxActive: Int { state.withLock { $0.maxActive } }
    var entered: Int { state.withLock { $0.entered } }

    func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let release = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.active += 1
                state.entered += 1
                state.maxActive = max(state.maxActive, state.active)
                if state.active >= opensAt { state.open = true }
                if state.open {
                    defer { state.waiting = [] }
                    return state.waiting + [continuation]
                }
                state.waiting.append(continuation)
                return []
            }
            for waiter in release { waiter.resume() }
        }
        await Task.yield()
        state.withLock { $0.active -= 1 }
    }
}
