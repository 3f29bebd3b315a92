import Foundation
import Testing

@testable import ChoreoCollector

@Suite("The indexer's low-priority thread")
struct LowPriorityThreadTests {
    @Test("every job runs on the one thread, whose niceness was raised by 10; the caller's is not")
    func niceAndOrdered() async throws {
        let thread = LowPriorityThread(name: "choreo-test")
        let before = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        async let first = thread.run { (getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0), Thread.current.hashValue) }
        let (niceness, id) = try #require(await first)
        #expect(niceness == min(19, before + 10))
        // The caller's own priority is untouched: only the thread's changed.
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == before)
        let order = Order()
        var runs: [Task<Int, Never>] = []
        for i in 0..<20 {
            runs.append(
                Task {
                    await thread.run {
                        order.append(i)
                        return Thread.current.hashValue
                    }
                })
        }
        var threads: Set<Int> = [id]
        for run in runs { threads.insert(await run.value) }
        #expect(threads.count == 1, "every job ran on the same thread")
        #expect(order.values.count == 20)
    }

    private final class Order: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [Int] = []
        func append(_ i: Int) { lock.withLock { list.append(i) } }
        var values: [Int] { lock.withLock { list } }
    }
}
