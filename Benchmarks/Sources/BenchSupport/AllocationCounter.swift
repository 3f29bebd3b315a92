import CMallocCounter

/// Counts the process's allocation calls (malloc, calloc, realloc, aligned allocations).
///
/// The counter interposes glibc's allocator in the benchmark executables. It counts calls from
/// every thread, so background work running during the measurement is included. Counting costs
/// an atomic increment per call: count in a separate, untimed pass.
public enum AllocationCounter {
    /// Allocation calls made while `body` ran (from any thread).
    public nonisolated(nonsending) static func count<T>(_ body: nonisolated(nonsending) () async throws -> T) async rethrows -> (result: T, allocations: UInt64) {
        let before = choreo_bench_allocations()
        choreo_bench_count_allocations(1)
        defer { choreo_bench_count_allocations(0) }
        let result = try await body()
        choreo_bench_count_allocations(0)
        return (result, choreo_bench_allocations() - before)
    }

    /// True when the interposition works (a fresh allocation was counted).
    public static func isWorking() -> Bool {
        let before = choreo_bench_allocations()
        choreo_bench_count_allocations(1)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
        choreo_bench_count_allocations(0)
        buffer.deallocate()
        return choreo_bench_allocations() > before
    }
}
