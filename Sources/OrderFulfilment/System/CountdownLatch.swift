import Synchronization

/// Opens once ``countDown()`` has been called `count` times; ``wait()`` suspends until then.
///
/// In simulated time, the timers wait for it before their first job, so business time does not
/// jump ahead before the first orders are on the bus.
final class CountdownLatch: Sendable {
    private let state: Mutex<(remaining: Int, waiters: [CheckedContinuation<Void, Never>])>

    init(count: Int) {
        state = Mutex((max(0, count), []))
    }

    /// Counts one arrival; the last one opens the latch.
    func countDown() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.remaining > 0 else { return [] }
            state.remaining -= 1
            guard state.remaining == 0 else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the latch is open.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let open = state.withLock { state in
                if state.remaining == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }
}
