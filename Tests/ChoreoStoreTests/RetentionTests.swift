import ChoreoModel
import ChoreoStore
import Testing

@Suite("SQLite retention")
struct RetentionTests {
    /// Nanoseconds at `ms` milliseconds after `Spans.base`.
    func at(_ ms: UInt64) -> UInt64 { Spans.base + ms * 1_000_000 }

    func withStore(_ body: (SQLiteSpanStore) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteSpanStore(path: directory.file("spans.sqlite"))
        do { try await body(store) } catch {
            await store.close()
            directory.remove()
            throw error
        }
        await store.close()
        directory.remove()
    }

    @Test("spans that started before the cutoff go, oldest first, at most a chunk per call")
    func chunks() async throws {
        try await withStore { store in
            // 25 old spans (0..24 ms), 5 recent ones (100..104 ms), no flow.
            let old = (0..<25).map { Spans.make(trace: 1, span: UInt64($0 + 1), correlationID: nil, startMs: UInt64($0)) }
            let recent = (0..<5).map { Spans.make(trace: 2, span: UInt64($0 + 1), correlationID: nil, startMs: 100 + UInt64($0)) }
            try await store.append(old + recent)
            let first = try await store.deleteSpans(startedBefore: at(50), limit: 10)
            #expect(first == RetentionChunk(deletedSpans: 10, deletedFlows: 0))
            let left = try await store.spans(traceID: old[0].traceID)
            #expect(left.map(\.spanID) == old[10...].map(\.spanID), "the oldest went first")
            #expect(try await store.deleteSpans(startedBefore: at(50), limit: 10).deletedSpans == 10)
            #expect(try await store.deleteSpans(startedBefore: at(50), limit: 10).deletedSpans == 5, "fewer than a chunk: done")
            #expect(try await store.deleteSpans(startedBefore: at(50), limit: 10).deletedSpans == 0)
            #expect(try await store.spanCount() == 5)
            #expect(try await store.spans(traceID: recent[0].traceID) == recent)
        }
    }

    @Test("a flow goes with its last span: summary and dirty mark; a flow with spans left keeps its summary")
    func flows() async throws {
        try await withStore { store in
            let gone = [Spans.make(trace: 1, span: 1, correlationID: "gone", startMs: 1), Spans.make(trace: 1, span: 2, correlationID: "gone", startMs: 2)]
            let straddling = [
                Spans.make(trace: 2, span: 1, correlationID: "straddling", startMs: 3),
                Spans.make(trace: 2, span: 2, correlationID: "straddling", startMs: 500),
            ]
            let kept = [Spans.make(trace: 3, span: 1, correlationID: "kept", startMs: 600)]
            let unindexed = [Spans.make(trace: 4, span: 1, correlationID: "unindexed", startMs: 4)]
            try await store.append(gone + straddling + kept)
            let marks = try await store.dirtyFlows(limit: 10)
            try await store.upsertSummaries(
                [
                    Spans.summary("gone", .completed, startedMs: 1, lastMs: 2),
                    Spans.summary("straddling", .inFlight, startedMs: 3, lastMs: 500),
                    Spans.summary("kept", .stuck, startedMs: 600, lastMs: 600),
                ], clearing: marks)
            try await store.append(unindexed)  // dirty, never indexed
            #expect(try await store.dirtyFlows(limit: 10).map(\.correlationID) == ["unindexed"])

            let chunk = try await store.deleteSpans(startedBefore: at(100), limit: 1000)
            #expect(chunk == RetentionChunk(deletedSpans: 4, deletedFlows: 2))
            #expect(try await store.flowSummary(correlationID: "gone") == nil)
            #expect(try await store.flowSummary(correlationID: "straddling")?.status == .inFlight)
            #expect(try await store.flowSummary(correlationID: "kept") != nil)
            #expect(try await store.dirtyFlows(limit: 10).isEmpty, "the dirty mark of an emptied flow went too")
            #expect(try await store.spans(correlationID: "straddling").map(\.spanID) == [straddling[1].spanID])
            #expect(try await store.flowCounts(FlowQuery()) == [.inFlight: 1, .stuck: 1])
        }
    }

    @Test("retention and ingest interleave: appends during a sweep are neither lost nor blocked for good")
    func interleaves() async throws {
        try await withStore { store in
            try await store.append((0..<3000).map { Spans.make(trace: 1, span: UInt64($0 + 1), correlationID: "old-\($0 % 50)", startMs: UInt64($0 % 100)) })
            try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    var deleted = 0
                    while true {
                        let chunk = try await store.deleteSpans(startedBefore: self.at(1000), limit: 100)
                        deleted += chunk.deletedSpans
                        if chunk.deletedSpans < 100 { return deleted }
                    }
                }
                group.addTask {
                    for i in 0..<20 {
                        try await store.append([Spans.make(trace: 9, span: UInt64(i + 1), correlationID: "new", startMs: 5000 + UInt64(i))])
                    }
                    return 0
                }
                let total = try await group.reduce(0, +)
                #expect(total == 3000)
            }
            #expect(try await store.spanCount() == 20)
            #expect(try await store.spans(correlationID: "new").count == 20)
        }
    }
}
