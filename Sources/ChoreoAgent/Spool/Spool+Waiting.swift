extension Spool {
    /// Suspends until spans are pending (returns at once if some already are), or until the
    /// task is cancelled, ``wakeUp()`` is called or the spool is closed.
    public func waitForSpans() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { s -> Bool in
                    if s.pendingSpans > 0 || s.closed || Task.isCancelled { return true }
                    s.waiter?.resume()
                    s.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            self.wakeUp()
        }
    }

    /// Wakes a pending ``waitForSpans()`` (used on shutdown).
    public func wakeUp() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }
}
