import ServiceLifecycle

/// Fails start-up when the HTTP server is not listening within a time limit (a bind that hangs,
/// e.g. on a host name that never resolves), so the daemon exits non-zero instead of running
/// without a port. Once the server listens it waits for graceful shutdown and ends.
struct BindWatchdog<C: Clock>: Service where C.Duration == Duration {
    /// The server did not listen in time.
    struct Timeout: Error, CustomStringConvertible {
        var limit: Duration
        var description: String { "the server was not listening after \(limit) (--bind-timeout)" }
    }

    let signal: ListenSignal
    let limit: Duration
    let clock: C
    /// Called when the limit passed unbound, before ``run()`` throws. A bind blocked in the
    /// system (a host name whose resolution hangs) cannot be cancelled, so the daemon exits
    /// from here rather than wait for it.
    var onTimeout: @Sendable (Timeout) -> Void = { _ in }

    func run() async throws {
        let listening = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await signal.wait()
                return true
            }
            group.addTask { [clock, limit] in
                try? await clock.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if Task.isCancelled { return }  // the group ends for another reason (a failed bind)
        guard listening || signal.isListening else {
            onTimeout(Timeout(limit: limit))
            throw Timeout(limit: limit)
        }
        try? await gracefulShutdown()
    }
}
