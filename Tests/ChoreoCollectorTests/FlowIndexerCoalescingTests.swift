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
        let store = GatedIndexStore()
        let indexer = FlowIndexer(
            store: store, options: FlowOptions(), clock: ContinuousClock(), interval: .seconds(1), logger: Logger(label: "test")
        )
        try await store.append(Fixtures.compensatedOrder("order-a", trace: TraceID(high: 0xC0A, low: 1)))

        let first = Task { try await indexer.catchUp() }
        try await store.waitForBlockedPasses(1)  // the first pass has read the dirty flows and holds the gate
        // Spans committed while the first pass runs, then ten callers.
        try await store.append(Fixtures.compensatedOrder("order-b", trace: TraceID(high: 0xC0A, low: 2)))
        let others = Task {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 { group.addTask { try await indexer.catchUp() } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
        }
        try await until { indexer.waitingCatchUps == 10 }
        store.open()

        #expect(try await first.value == 1, "the first pass indexed the flow committed before it")
        let results = try await others.value
        #expect(results == Array(repeating: 1, count: 10), "all ten shared one pass, which indexed order-b")
        #expect(store.passes == 2, "one pass, then one for everyone who arrived during it")
        #expect(try await store.flowSummary(correlationID: "order-b")?.status == .compensated)
        #expect(indexer.waitingCatchUps == 0)
    }

    @Test("a failing pass fails every caller it served, and the next call runs a new pass")
    func failureReachesFollowersAndDoesNotWedge() async throws {
        let store = GatedIndexStore()
        let indexer = FlowIndexer(
            store: store, options: FlowOptions(), clock: ContinuousClock(), interval: .seconds(1), logger: Logger(label: "test")
        )
        try await store.append(Fixtures.compensatedOrder("order-c", trace: TraceID(high: 0xC0A, low: 3)))
        let first = Task { try await indexer.catchUp() }
        try await store.waitForBlockedPasses(1)
        store.failNextPasses(2)
        let followers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { _ = try await indexer.catchUp() } }
                try await group.waitForAll()
            }
        }
        try await until { indexer.waitingCatchUps == 3 }
        store.open()
        await #expect(throws: GatedIndexStore.Injected.self) { try await first.value }
        await #expect(throws: GatedIndexStore.Injected.self) { try await followers.value }
        #expect(store.passes == 2)
        #expect(try await indexer.catchUp() == 1, "the indexer is not wedged by the failures")
        #expect(store.passes == 3)
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

/// An in-memory store whose `dirtyFlows` (the first read of every pass) counts passes, holds
/// them at a gate after reading until the test opens it, and can fail the next passes.
final class GatedIndexStore: SpanStore {
    struct Injected: Error {}
    private let inner = InMemorySpanStore()
    private struct State {
        var passes = 0
        var blocked = 0
        var open = false
        var failures = 0
        var gate: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    var passes: Int { state.withLock { $0.passes } }

    func open() {
        let released = state.withLock { s in
            s.open = true
            defer { s.gate = [] }
            return s.gate
        }
        for continuation in released { continuation.resume() }
    }

    func failNextPasses(_ count: Int) { state.withLock { $0.failures = count } }

    func waitForBlockedPasses(_ count: Int) async throws {
        try await until { state.withLock { $0.blocked } >= count }
    }

    func dirtyFlows(limit: Int) async throws -> [DirtyFlow] {
        state.withLock { $0.passes += 1 }
        let dirty = try await inner.dirtyFlows(limit: limit)
        await withCheckedContinuation { continuation in
            let through = state.withLock { s in
                if s.open { return true }
                s.blocked += 1
                s.gate.append(continuation)
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
        return dirty
    }

    func append(_ spans: [SpanRecord]) async throws { try await inner.append(spans) }
    func spans(traceID: TraceID) async throws -> [SpanRecord] { try await inner.spans(traceID: traceID) }
    func spans(correlationID: String) async throws -> [SpanRecord] { try await inner.spans(correlationID: correlationID) }
    func spans(correlationIDs: [String]) async throws -> [String: [SpanRecord]] { try await inner.spans(correlationIDs: correlationIDs) }
    func upsertSummaries(_ summaries: [FlowSummary], clearing: [DirtyFlow]) async throws {
        try await inner.upsertSummaries(summaries, clearing: clearing)
    }
    func flowSummary(correlationID: String) async throws -> FlowSummary? { try await inner.flowSummary(correlationID: correlationID) }
    func flowSummaries(_ query: FlowQuery) async throws -> [FlowSummary] { try await inner.flowSummaries(query) }
    func spanCount() async throws -> Int { try await inner.spanCount() }
    func upsertFlows(_ flows: [IndexedFlow], clearing: [DirtyFlow]) async throws { try await inner.upsertFlows(flows, clearing: clearing) }
    func flowTrails(_ query: FlowQuery) async throws -> [FlowTrail] { try await inner.flowTrails(query) }
    func flowCounts(_ query: FlowQuery) async throws -> [FlowStatus: Int] { try await inner.flowCounts(query) }
    func judging() async throws -> [UInt8]? { try await inner.judging() }
    func dueFlows(at unixNano: UInt64, limit: Int) async throws -> [String] { try await inner.dueFlows(at: unixNano, limit: limit) }
    func saveJudging(_ settings: [UInt8]) async throws { try await inner.saveJudging(settings) }
    func traceSummaries(_ query: TraceQuery) async throws -> [TraceSummary] { try await inner.traceSummaries(query) }
}
