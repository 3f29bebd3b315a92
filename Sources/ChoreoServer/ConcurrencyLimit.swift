import Synchronization

/// At most `permits` callers at once in a section; the others wait their turn, in arrival order.
///
/// Ingest bounds its memory with it: one request's decoding is bounded by the request limits,
/// and this bounds how many decode at once, whatever the number of senders. A waiting request
/// holds only its compressed body.
public final class ConcurrencyLimit: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    /// A limit of `permits` (at least 1) callers at once.
    public init(permits: Int) {
        state = Mutex(State(available: max(1, permits)))
    }

    /// Runs `body` once a permit is free, and frees it after.
    public func withPermit<T>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                guard s.available > 0 else {
                    s.waiters.append(continuation)
                    return false
                }
                s.available -= 1
                return true
            }
            if ready { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard !s.waiters.isEmpty else {
                s.available += 1
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }
}
