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
        let store = InterceptingStore(gatedAppends: true)
        let writer = IngestWriter(store: store, capacity: 1000, maxSpansPerCommit: 1000, commitsInFlight: 1, logger: Logger(label: "test"))
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
            store.open()
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

    @Test("busy while a request waits or a commit runs, idle once every commit ended (what the flow indexer defers to)")
    func busyWhileCommitting() async throws {
        let store = InterceptingStore(gatedAppends: true)
        let writer = IngestWriter(store: store, capacity: 1000, maxSpansPerCommit: 1000, commitsInFlight: 1, logger: Logger(label: "test"))
        #expect(!writer.isBusy)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            let spans = Fixtures.compensatedOrder("a", trace: trace)
            group.addTask { try await writer.submit(spans) }
            await store.waitForAppendToStart()  // taken from the queue, held in its commit
            #expect(writer.queueDepth == 0)
            #expect(writer.isBusy, "a commit runs")
            let more = Fixtures.compensatedOrder("b", trace: TraceID(high: 9, low: 9))
            group.addTask { try await writer.submit(more) }
            while writer.queueDepth == 0 { await Task.yield() }
            #expect(writer.isBusy)
            store.open()
            try await group.next()
            try await group.next()
            #expect(!writer.isBusy, "both requests acknowledged: nothing waits, no commit runs")
            writer.close()
            try await group.waitForAll()
        }
    }

    @Test(
        "with two commits in flight, a request arriving during a commit starts the second; later ones wait for a free one and share it")
    func twoCommitsInFlight() async throws {
        let store = InterceptingStore(gatedAppends: true)
        let writer = IngestWriter(store: store, capacity: 1000, maxSpansPerCommit: 1000, commitsInFlight: 2, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            group.addTask { try await writer.submit(Fixtures.compensatedOrder("a", trace: trace)) }
            await store.waitForAppends(1)
            group.addTask { try await writer.submit(Fixtures.compensatedOrder("b", trace: TraceID(high: 8, low: 2))) }
            // The second commit starts while the first is still in the store. A single commit in
            // flight would leave "b" queued: after 30 s the gate opens so the test fails, not hangs.
            let second = await Self.reached(within: .seconds(30), { await store.waitForAppends(2) }, else: { store.open() })
            guard second else {
                Issue.record("the second commit did not start while the first was held")
                try await group.next()
                try await group.next()
                writer.close()
                try await group.waitForAll()
                return
            }
            #expect(writer.queueDepth == 0)
            for id in ["c", "d"] {
                let spans = Fixtures.compensatedOrder(id, trace: TraceID(high: 9, low: UInt64(id.unicodeScalars.first!.value)))
                group.addTask { try await writer.submit(spans) }
            }
            while writer.queueDepth < 20 { await Task.yield() }
            #expect(store.appendsStarted == 2, "no third commit while two are in flight")
            #expect(try await store.inner.spanCount() == 0, "nothing is acknowledged before its commit")
            store.open()
            for _ in 0..<4 { try await group.next() }
            #expect(try await store.inner.spanCount() == 40)
            #expect(writer.stats.commits == 3, "c and d share the third commit")
            writer.close()
            try await group.waitForAll()
        }
    }

    /// Whether `wait` returned within `limit` (wall clock); if not, runs `giveUp`, which must let
    /// `wait` return, and waits for it.
    static func reached(
        within limit: Duration, _ wait: @escaping @Sendable () async -> Void, else giveUp: @escaping @Sendable () -> Void
    ) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await wait()
                return true
            }
            group.addTask {
                do { try await Task.sleep(for: limit) } catch { return true }  // cancelled: the wait won
                giveUp()
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    @Test("beyond its capacity the queue refuses at once instead of growing")
    func overload() async throws {
        let store = InterceptingStore(gatedAppends: true)
        let writer = IngestWriter(store: store, capacity: 15, maxSpansPerCommit: 1000, commitsInFlight: 1, logger: Logger(label: "test"))
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
            store.open()
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
