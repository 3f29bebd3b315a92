import ChoreoModel
import Synchronization

/// A ``SpanExporter`` that keeps every batch in memory: the test double of the exporter seam.
///
/// ``waitForSpans(count:)`` lets a test wait for exports without sleeping.
public final class InMemorySpanExporter: SpanExporter, Sendable {
    private struct State {
        var batches: [[SpanRecord]] = []
        var spanCount = 0
        var shutdownCount = 0
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    /// An empty exporter.
    public init() {}

    /// Every batch exported so far, in order.
    public var batches: [[SpanRecord]] { state.withLock { $0.batches } }

    /// Every span exported so far, in order.
    public var spans: [SpanRecord] { state.withLock { $0.batches.flatMap { $0 } } }

    /// How many times ``shutdown()`` was called.
    public var shutdownCount: Int { state.withLock { $0.shutdownCount } }

    /// Records the batch (as records).
    public func export(_ batch: [any ReadableSpan]) async throws {
        let batch = batch.records
        let ready = state.withLock { state in
            state.batches.append(batch)
            state.spanCount += batch.count
            let count = state.spanCount
            let ready = state.waiters.filter { $0.count <= count }.map(\.continuation)
            state.waiters.removeAll { $0.count <= count }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    /// Counts the call.
    public func shutdown() async {
        state.withLock { $0.shutdownCount += 1 }
    }

    /// Returns once at least `count` spans have been exported in total.
    public func waitForSpans(count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let satisfied = state.withLock { state in
                if state.spanCount >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if satisfied { continuation.resume() }
        }
    }

    /// Forgets the batches exported so far.
    public func reset() {
        state.withLock { state in
            state.batches = []
            state.spanCount = 0
        }
    }
}
