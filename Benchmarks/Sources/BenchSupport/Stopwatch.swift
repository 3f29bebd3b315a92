/// Wall and CPU time of one measured region.
public struct Timing: Sendable {
    /// Elapsed wall time in nanoseconds (`ContinuousClock`).
    public var wallNanoseconds: Double
    /// CPU time of the whole process in nanoseconds over the same region.
    public var cpuNanoseconds: Double

    /// A timing taken some other way (e.g. by the server, between two statements).
    public init(wallNanoseconds: Double, cpuNanoseconds: Double) {
        self.wallNanoseconds = wallNanoseconds
        self.cpuNanoseconds = cpuNanoseconds
    }
}

/// Measures a region with `ContinuousClock` and the process CPU clock.
public enum Stopwatch {
    /// Runs `body` and returns its result with the wall and CPU time it took.
    public nonisolated(nonsending) static func measure<T>(_ body: nonisolated(nonsending) () async throws -> T) async rethrows -> (result: T, measurement: Timing) {
        let clock = ContinuousClock()
        let cpuStart = ProcessCPUTime.nanoseconds()
        let start = clock.now
        let result = try await body()
        let elapsed = start.duration(to: clock.now)
        let cpu = ProcessCPUTime.nanoseconds() - cpuStart
        return (result, Timing(wallNanoseconds: elapsed.nanoseconds, cpuNanoseconds: Double(cpu)))
    }
}

extension Duration {
    /// The duration in nanoseconds, as a `Double`.
    public var nanoseconds: Double {
        let parts = components
        return Double(parts.seconds) * 1e9 + Double(parts.attoseconds) / 1e9
    }
}
