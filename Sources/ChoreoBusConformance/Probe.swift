import ChoreoInstrumentation
import Synchronization

/// Collects what handlers saw, and lets the suite wait until enough has been seen. Waits end
/// with a ``ConformanceFailure`` after a generous safety limit (never an assertion on timing).
public final class Probe<Value: Sendable>: Sendable {
    private struct State {
        var values: [Value] = []
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Records a value and wakes the waiters it satisfies.
    public func append(_ value: Value) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.values.append(value)
            let due = state.waiters.filter { $0.count <= state.values.count }
            state.waiters.removeAll { $0.count <= state.values.count }
            return due.map(\.continuation)
        }
        for waiter in woken { waiter.resume() }
    }

    /// Everything recorded so far.
    public var values: [Value] { state.withLock { $0.values } }

    /// Returns once `count` values were recorded; fails after `limit` (a safety net).
    public func wait(for count: Int, limit: Duration = .seconds(60), _ what: String) async throws -> [Value] {
        let arrived = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = self.state.withLock { state in
                        if state.values.count >= count { return true }
                        state.waiters.append((count, continuation))
                        return false
                    }
                    if ready { continuation.resume() }
                }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            if !first { self.releaseAll() }
            group.cancelAll()
            return first
        }
        let values = self.values
        try check(arrived && values.count >= count, "waited for \(count) \(what), saw \(values.count) within \(limit)")
        return values
    }

    private func releaseAll() {
        let waiters = state.withLock { state in
            defer { state.waiters = [] }
            return state.waiters.map(\.continuation)
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// A gate a handler waits at until the suite opens it.
public final class HandlerGate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public init() {}

    /// Opens the gate for every waiter.
    public func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the gate is open.
    public func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let open = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }
}
