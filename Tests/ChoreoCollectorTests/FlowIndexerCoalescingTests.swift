import ChoreoCollector
import ChoreoFlows
import ChoreoModel
import ChoreoStore
import Logging
import Synchronization
import Testing

/// Concurrent catch-ups coalesce: one pass at a time, and every caller that arrives during it
/// shares the single next pass, which sees what they committed.
@Suite("Flow indexer: concurrent catch-ups coalesce")
struct FlowIndexerCoalescingTests {
    @Test("ten callers during a pass get one more pass, not ten, and it indexes what they committed")
    func callersDuringAPassShareTheNext() async throws {
        let gate = PassGate()
        let store = gate.store()
        let indexer = FlowIndexer(
            store: store, options: FlowOptions(), clock: ContinuousClock(), interval: .seconds(1), logger: Logger(label: "test")
        )
        try await store.append(Fixtures.compensatedOrder("order-a", trace: TraceID(high: 0xC0A, low: 1)))

        let first = Task { try await indexer.catchUp() }
        try await gate.waitForBlockedPasses(1)  // the first pass has read the dirty flows and holds the gate
        // Spans committed while the first pass runs, then ten callers.
        try await store.append(Fixtures.compensatedOrder("order-b", trace: TraceID(high: 0xC0A, low: 2)))
        let others = Task {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 { group.addTask { try await indexer.catchUp() } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
        }
        try await until { indexer.waitingCatchUps == 10 }
        gate.open()

        #expect(try await first.value == 1, "the first pass indexed the flow committed before it")
        let results = try await others.value
        #expect(results == Array(repeating: 1, count: 10), "all ten shared one pass, which indexed order-b")
        #expect(gate.passes == 2, "one pass, then one for everyone who arrived during it")
        #expect(try await store.flowSummary(correlationID: "order-b")?.status == .compensated)
        #expect(indexer.waitingCatchUps == 0)
    }

    @Test("a failing pass fails every caller it served, and the next call runs a new pass")
    func failureReachesFollowersAndDoesNotWedge() async throws {
        let gate = PassGate()
        let store = gate.store()
        let indexer = FlowIndexer(
            store: store, options: FlowOptions(), clock: ContinuousClock(), interval: .seconds(1), logger: Logger(label: "test")
        )
        try await store.append(Fixtures.compensatedOrder("order-c", trace: TraceID(high: 0xC0A, low: 3)))
        let first = Task { try await indexer.catchUp() }
        try await gate.waitForBlockedPasses(1)
        gate.failNextPasses(2)
        let followers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { _ = try await indexer.catchUp() } }
                try await group.waitForAll()
            }
        }
        try await until { indexer.waitingCatchUps == 3 }
        gate.open()
        await #expect(throws: PassGate.Injected.self) { try await first.value }
        await #expect(throws: PassGate.Injected.self) { try await followers.value }
        #expect(gate.passes == 2)
        #expect(try await indexer.catchUp() == 1, "the indexer is not wedged by the failures")
        #expect(gate.passes == 3)
    }
}

/// Yields until `condition` holds; fails the test after 10 s of real time (a bound, not a pause).
func until(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while !condition() {
        try #require(ContinuousClock.now < deadline, "condition not reached within 10 s")
        await Task.yield()
    }
}

/// Holds every catch-up pass once it has read its dirty flows (the first read of a pass) until
/// the test opens the gate, counts the passes, and can fail the next ones.
final class PassGate: Sendable {
    struct Injected: Error {}
    private struct State {
        var passes = 0
        var blocked = 0
        var open = false
        var failures = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    /// A store whose passes go through this gate.
    func store() -> InterceptingStore {
        InterceptingStore(after: { call in if call == .dirtyFlows { try await self.pass() } })
    }

    var passes: Int { state.withLock { $0.passes } }

    func open() {
        let released = state.withLock { s in
            s.open = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for continuation in released { continuation.resume() }
    }

    func failNextPasses(_ count: Int) { state.withLock { $0.failures = count } }

    func waitForBlockedPasses(_ count: Int) async throws {
        try await until { state.withLock { $0.blocked } >= count }
    }

    private func pass() async throws {
        state.withLock { $0.passes += 1 }
        await withCheckedContinuation { continuation in
            let through = state.withLock { s in
                if s.open { return true }
                s.blocked += 1
                s.waiters.append(continuation)
                return false
            }
            if through { continuation.resume() }
        }
        let mustFail = state.withLock { s in
            guard s.failures > 0 else { return false }
            s.failures -= 1
            return true
        }
        if mustFail { throw Injected() }
    }
}
