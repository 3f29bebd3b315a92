import ChoreoModel

extension BatchProcessorState {
    /// The oldest unsent batch, due for the next attempt.
    package var firstUnsent: [any ReadableSpan]? { unsent.first }

    /// Holds a batch taken from the queue that the endpoint could not take (or that was set
    /// aside while it is failing) for a later attempt. Its spans count as completed for flush
    /// waiters: a flush does not wait for an unreachable endpoint. Past ``maxUnsentSpans`` the
    /// oldest unsent batches are dropped and counted as evicted; returns the evicted count and
    /// the flush waiters now satisfied.
    package mutating func deferBatch(_ batch: [any ReadableSpan]) -> (evicted: Int, waiters: [CheckedContinuation<Void, Never>]) {
        completed += UInt64(batch.count)
        unsent.append(batch)
        unsentSpans += batch.count
        var evicted = 0
        while unsentSpans > maxUnsentSpans, !unsent.isEmpty {
            let oldest = unsent.removeFirst()
            unsentSpans -= oldest.count
            evicted += oldest.count
        }
        counters.evicted += UInt64(evicted)
        return (evicted, takeSatisfiedWaiters())
    }

    /// Records the outcome of an attempt at the oldest unsent batch, which leaves the list.
    package mutating func finishUnsent(succeeded: Bool) {
        guard !unsent.isEmpty else { return }
        let batch = unsent.removeFirst()
        unsentSpans -= batch.count
        if succeeded { counters.exported += UInt64(batch.count) } else { counters.failed += UInt64(batch.count) }
    }

    /// Gives up everything queued or unsent (the shutdown timeout ran out) and stops for good;
    /// returns how many spans were given up.
    package mutating func abandonAll() -> Int {
        let left = queue.count + unsentSpans
        _ = queue.removeFirst(upTo: .max)
        unsent.removeAll()
        unsentSpans = 0
        counters.abandoned += UInt64(left)
        completed = accepted
        phase = .stopped
        return left
    }
}
