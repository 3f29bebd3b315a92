import Dispatch
import Foundation
import Synchronization

/// One thread of its own at a lower CPU priority (nice +10), for work that must get done but
/// not before ingest: the flow indexer's rebuilding of flows.
///
/// Swift's cooperative pool has one thread per core and no priorities that Linux enforces, so a
/// pass of the indexer building flows there for tens of milliseconds holds a thread that the
/// decoding of incoming requests waits for. On this thread the kernel gives the building the
/// CPU that ingest and queries leave (a nice +10 thread gets about a tenth of the share of a
/// nice 0 one when both want the CPU), and all of it when they leave it all.
///
/// Jobs run one at a time in the order they were given; the thread lives as long as the process.
final class LowPriorityThread: Sendable {
    /// The thread the collector's indexers share.
    static let shared = LowPriorityThread(name: "choreo-index")

    /// The jobs given and not yet taken, and a count of them to wait on.
    private final class Queue: Sendable {
        let jobs = Mutex<[@Sendable () -> Void]>([])
        let pending = DispatchSemaphore(value: 0)
    }

    private let queue = Queue()

    /// - Parameter name: the thread's name as `ps -L` and `perf` show it (15 bytes at most on Linux).
    init(name: String, niceness: Int32 = 10) {
        let thread = Thread { [queue] in
            Thread.current.name = name
            Self.lowerPriority(by: niceness)
            while true {
                queue.pending.wait()
                let job = queue.jobs.withLock { $0.removeFirst() }
                job()
            }
        }
        thread.start()
    }

    /// Runs `work` on the thread and returns its result.
    func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            queue.jobs.withLock { $0.append { continuation.resume(returning: work()) } }
            queue.pending.signal()
        }
    }

    /// Raises the calling thread's niceness: on Linux the nice value is per thread and
    /// `setpriority(PRIO_PROCESS, 0, …)` sets the caller's; raising it needs no privilege.
    /// Where that fails the work still runs, at the usual priority.
    private static func lowerPriority(by niceness: Int32) {
        #if os(Linux)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
        #else
            _ = setpriority(PRIO_DARWIN_THREAD, 0, PRIO_DARWIN_BG)
        #endif
    }
}
