extension Spool {
    /// Suspends until spans are pending (returns at once if some already are), or until the
    /// task is cancelled, ``wakeUp()`` is called or the spool is closed.
    public func waitForSpans() async {
        await ConsumerWaiter.wait(
            park: { continuation in
                state.withLock { $0.waiter.park(continuation, unlessReady: $0.pendingSpans > 0 || $0.closed) }
            },
            wake: { self.wakeUp() }
        )
    }

    /// Wakes a pending ``waitForSpans()`` (used on shutdown).
    public func wakeUp() {
        state.withLock { $0.waiter.take() }?.resume()
    }
}
