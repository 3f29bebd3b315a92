extension TruthRecorder {
    /// Returns once flow `correlationID` has reached a final state (ended, failed or stuck);
    /// throws `CancellationError` if cancelled first.
    public func waitUntilSettled(_ correlationID: String) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let ready: Bool? = state.withLock { state in
                    if state.flows[correlationID]?.isSettled == true { return true }
                    if Task.isCancelled { return false }
                    state.waiters[correlationID, default: []].append(continuation)
                    return nil
                }
                switch ready {
                case true?: continuation.resume()
                case false?: continuation.resume(throwing: CancellationError())
                case nil: break
                }
            }
        } onCancel: {
            // Wakes every waiter of this flow; each one that was cancelled rethrows.
            let waiters = state.withLock { $0.waiters.removeValue(forKey: correlationID) ?? [] }
            for waiter in waiters { waiter.resume(throwing: CancellationError()) }
        }
    }
}
