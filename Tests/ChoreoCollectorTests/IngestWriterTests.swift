import ChoreoCollector
import ChoreoModel
import ChoreoStore
import Logging
import ServiceLifecycle
import Testing

@Suite("Ingest writer (group commit)")
struct IngestWriterTests {
    let trace = TraceID(high: 7, low: 7)

    @Test("concurrent submissions are committed together and each is acknowledged after the commit")
    func groupCommit() async throws {
        let store = GatedStore()
        let writer = IngestWriter(store: store, capacity: 1000, maxSpansPerCommit: 1000, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            let first = Fixtures.compensatedOrder("a", trace: trace)
            group.addTask { try await writer.submit(first) }
            await store.waitForAppendToStart()  // the writer holds batch 1 in its commit
            for id in ["b", "c", "d"] {
                let spans = Fixtures.compensatedOrder(id, trace: TraceID(high: 8, low: UInt64(id.unicodeScalars.first!.value)))
                group.addTask { try await writer.submit(spans) }
            }
            while writer.queueDepth < 30 { await Task.yield() }
            #expect(try await store.inner.spanCount() == 0, "nothing is visible before the commit")
            await store.open()
            try await group.next()
            try await group.next()
            try await group.next()
            try await group.next()
            #expect(try await store.inner.spanCount() == 40)
            #expect(writer.stats.commits == 2, "the three queued requests share one transaction")
            writer.close()
            try await group.waitForAll()
        }
    }

    @Test("beyond its capacity the queue refuses at once instead of growing")
    func overload() async throws {
        let store = GatedStore()
        let writer = IngestWriter(store: store, capacity: 15, maxSpansPerCommit: 1000, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            group.addTask { try await writer.submit(Fixtures.compensatedOrder("a", trace: trace)) }
            await store.waitForAppendToStart()
            group.addTask { try await writer.submit(Fixtures.compensatedOrder("b", trace: TraceID(high: 2, low: 2))) }
            while writer.queueDepth < 10 { await Task.yield() }
            let error = await #expect(throws: IngestError.self) {
                try await writer.submit(Fixtures.compensatedOrder("c", trace: TraceID(high: 3, low: 3)))
            }
            #expect(error?.code == .overloaded)
            await store.open()
            try await group.next()
            try await group.next()
            #expect(try await store.inner.spanCount() == 20, "everything accepted was committed")
            writer.close()
            try await group.waitForAll()
        }
    }

    @Test("closing drains what was accepted and refuses what comes after")
    func drainOnClose() async throws {
        let store = InMemorySpanStore()
        let writer = IngestWriter(store: store, capacity: 1000, maxSpansPerCommit: 3, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.submit(Fixtures.compensatedOrder("a", trace: trace)) }
            while writer.queueDepth < 10 { await Task.yield() }
            writer.close()
            group.addTask { try await writer.run() }
            try await group.waitForAll()
        }
        #expect(try await store.spanCount() == 10)
        await #expect(throws: IngestError.self) {
            try await writer.submit(Fixtures.compensatedOrder("b", trace: trace))
        }
    }
}

/// A store whose appends wait at a gate until the test opens it.
actor GatedStore: SpanStore {
    let inner = InMemorySpanStore()
    private var isOpen = false
    private var gateWaiters: [CheckedContinuation<Void, Never>] = []
    private var startWaiters: [CheckedContinuation<Void, Never>] = []
    private var started = false

    func open() {
        isOpen = true
        gateWaiters.forEach { $0.resume() }
        gateWaiters.removeAll()
    }

    func waitForAppendToStart() async {
        if started { return }
        await withCheckedContinuation { startWaiters.append($0) }
    }

    func append(_ spans: [SpanRecord]) async throws {
        started = true
        startWaiters.forEach { $0.resume() }
        startWaiters.removeAll()
        if !isOpen { await withCheckedContinuation { gateWaiters.append($0) } }
        try await inner.append(spans)
    }

    func spans(traceID: TraceID) async throws -> [SpanRecord] { try await inner.spans(traceID: traceID) }
    func spans(correlationID: String) async throws -> [SpanRecord] { try await inner.spans(correlationID: correlationID) }
    func dirtyFlows(limit: Int) async throws -> [DirtyFlow] { try await inner.dirtyFlows(limit: limit) }
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
