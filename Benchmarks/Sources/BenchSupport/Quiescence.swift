/// Waits until the process has (almost) stopped using CPU, so that a measured region starts with
/// nothing left over from the one before it: the CPU figure is every thread's, and work a previous
/// case left behind (a tracer's export loop still draining, a bus's workers winding down) would
/// otherwise be counted in the next case's window.
public enum Quiescence {
    /// Samples the process's CPU time every `interval` until one interval used less than
    /// `threshold` of a core, or until `limit` passed. Returns false when the limit was reached.
    @discardableResult
    public static func wait(
        threshold: Double = 0.05, interval: Duration = .milliseconds(10), limit: Duration = .seconds(2)
    ) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: limit)
        while clock.now < deadline {
            let cpu = ProcessCPUTime.nanoseconds()
            let start = clock.now
            try? await Task.sleep(for: interval)
            let used = Double(ProcessCPUTime.nanoseconds() - cpu)
            if used < threshold * start.duration(to: clock.now).nanoseconds { return true }
        }
        return false
    }
}
