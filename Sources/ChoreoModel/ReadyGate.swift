import Synchronization

/// Opens once, with success or an error; ``wait()`` suspends until then.
///
/// What a long-running component (a bus's consumers, a store's connection pool) uses to say it
/// is ready, or why it will never be: every waiter, now and later, gets the same answer.
public final class ReadyGate: Sendable {
    private let state = Mutex<(result: Result<Void, any Error>?, waiters: [CheckedContinuation<Void, any Error>])>((nil, []))

    /// A closed gate.
    public init() {}

    /// Opens the gate for every waiter, now and later. Only the first call counts.
    public func open(_ result: Result<Void, any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// Returns once open, or throws the error it was opened with.
    public func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let result = state.withLock { state -> Result<Void, any Error>? in
                if let result = state.result { return result }
                state.waiters.append(continuation)
                return nil
            }
            if let result { continuation.resume(with: result) }
        }
    }
}
