extension BusinessTimers {
    /// Runs the jobs, earliest deadline first, until ``finish()`` or cancellation. Call it once.
    ///
    /// - Throws: `CancellationError` when cancelled, or what `settle` throws.
    public func run() async throws {
        state.withLock { $0.running = true }
        defer {
            let waiters = state.withLock { state in
                state.running = false
                defer { state.stopWaiters = [] }
                return state.stopWaiters
            }
            for waiter in waiters { waiter.resume() }
        }
        while true {
            await waitForWork(before: nil)
            if state.withLock({ $0.shouldStop }) { return }
            try Task.checkCancellation()
            if let settle { try await settle() }
            guard let deadline = state.withLock({ $0.shouldStop ? nil : $0.jobs.first?.deadline }) else { continue }
            if deadline > elapsed() {
                guard try await sleep(until: deadline) else { continue }
            }
            guard let job = state.withLock({ $0.shouldStop || $0.jobs.isEmpty ? nil : $0.jobs.removeFirst() }) else { continue }
            do {
                try await job.work()
            } catch {
                state.withLock { $0.failed += 1 }
            }
        }
    }

    /// Stops the loop after the job it is running, if any; jobs not yet run are dropped.
    /// With `drain`, the loop first runs every job, including those scheduled meanwhile, on
    /// time. Returns once the loop has stopped (at once if it is not running).
    public func finish(drain: Bool = false) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let (waiter, stopped) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Bool) in
                state.finished = true
                state.draining = drain
                let waiter = state.waiter?.continuation
                state.waiter = nil
                if state.running { state.stopWaiters.append(continuation) }
                return (waiter, !state.running)
            }
            waiter?.resume()
            if stopped { continuation.resume() }
        }
    }

    /// Sleeps until `deadline`; returns false early when a job with an earlier deadline arrives
    /// or the timers finish.
    private func sleep(until deadline: Duration) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await self.sleepUntil(deadline)
                return true
            }
            group.addTask {
                await self.waitForWork(before: deadline)
                return false
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
    }

    /// Returns once a job due before `deadline` (any job, for nil) exists, the timers finish,
    /// or the task is cancelled.
    func waitForWork(before deadline: Duration?) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state in
                    if state.hasWork(before: deadline) || Task.isCancelled { return true }
                    state.waiter = (deadline, continuation)
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter?.continuation
            }
            waiter?.resume()
        }
    }
}
