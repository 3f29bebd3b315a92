#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time used by the whole process (every thread, user and system), in nanoseconds.
///
/// On a machine with several cores this can exceed wall time; per message it is a better
/// measure of cost than wall time, which depends on how much work overlaps.
public enum ProcessCPUTime {
    /// CPU nanoseconds used by this process so far.
    public static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
