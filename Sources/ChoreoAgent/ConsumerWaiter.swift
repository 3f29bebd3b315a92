/// The waiting consumer of a single-consumer queue (the in-memory ``SpanQueue`` and the
/// ``Spool``): kept inside the queue's own locked state, so "is there work?" and "park me" happen
/// under one lock and no wake-up is lost between them.
///
/// A queue stores one `ConsumerWaiter` in its state, calls ``take()`` under its lock whenever it
/// makes work available (or closes) and resumes what it got after unlocking, and implements its
/// wait with ``wait(park:wake:)``.
struct ConsumerWaiter: Sendable {
    private var continuation: CheckedContinuation<Void, Never>?

    init() {}

    /// Parks `continuation` unless `ready` (or the task is cancelled): then it returns true and
    /// the caller resumes it. A consumer already parked is woken: there is one consumer.
    mutating func park(_ continuation: CheckedContinuation<Void, Never>, unlessReady ready: Bool) -> Bool {
        if ready || Task.isCancelled { return true }
        self.continuation?.resume()
        self.continuation = continuation
        return false
    }

    /// Removes the parked consumer, for the caller to resume once it has unlocked.
    mutating func take() -> CheckedContinuation<Void, Never>? {
        defer { continuation = nil }
        return continuation
    }

    /// Suspends until `park` (which runs ``park(_:unlessReady:)`` under the queue's lock) finds
    /// work, or until the waiting consumer is woken; cancellation calls `wake`.
    static func wait(
        park: (CheckedContinuation<Void, Never>) -> Bool, wake: @escaping @Sendable () -> Void
    ) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if park(continuation) { continuation.resume() }
            }
        } onCancel: {
            wake()
        }
    }
}
