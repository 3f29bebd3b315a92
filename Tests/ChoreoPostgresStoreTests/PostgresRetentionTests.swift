import ChoreoModel
import ChoreoStore
import PostgresNIO
import Testing

@testable import ChoreoPostgresStore

@Suite("PostgreSQL span store: partitions and retention", .enabled(if: TestDatabase.url != nil, TestDatabase.skipReason), .timeLimit(.minutes(2)))
struct PostgresRetentionTests {
    static let day: UInt64 = 86_400_000_000_000

    /// Nanoseconds at `ms` milliseconds after `Spans.base`.
    func at(_ ms: UInt64) -> UInt64 { Spans.base + ms * 1_000_000 }

    /// The names of the spans table's partitions, from the catalog.
    func partitionNames(_ store: PostgresSpanStore) async throws -> [String] {
        try await store.refreshPartitions().partitions.map(\.name)
    }

    @Test("partitions exist ahead of now at start, and spans of another day get theirs on demand")
    func partitionsOnDemand() async throws {
        try await withPostgresStore { store in
            #expect(try await store.spanCount() == 0)  // waits until the store is ready
            let today = PartitionMap.name(lower: PartitionMap.slot(of: Int64(UnixTime.nowNanos()), width: Int64(Self.day)).lowerBound)
            let before = try await partitionNames(store)
            #expect(before.contains(today), "\(today) in \(before)")
            #expect(before.count == 3, "today and 2 days ahead: \(before)")
            try await store.append([Spans.make(trace: 1, span: 1, startMs: 0), Spans.make(trace: 1, span: 2, startMs: Self.day / 1_000_000)])
            let after = try await partitionNames(store)
            #expect(after.count == 5)
            #expect(after.contains("spans_20231114") && after.contains("spans_20231115"))
            #expect(try await store.spanCount() == 2)
        }
    }

    @Test("spans that started before the cutoff go, oldest first, at most a chunk per call within a partition")
    func chunks() async throws {
        try await withPostgresStore { store in
            let old = (0..<25).map { Spans.make(trace: 1, span: UInt64($0 + 1), correlationID: nil, startMs: UInt64($0)) }
            let recent = (0..<5).map { Spans.make(trace: 2, span: UInt64($0 + 1), correlationID: nil, startMs: 100 + UInt64($0)) }
            try await store.append(old + recent)
            #expect(try await store.deleteSpans(startedBefore: at(50), limit: 10) == RetentionChunk(deletedSpans: 10, deletedFlows: 0))
            #expect(try await store.spans(traceID: old[0].traceID).map(\.spanID) == old[10...].map(\.spanID), "the oldest went first")
            #expect(try await store.deleteSpans(startedBefore: at(50), limit: 10).deletedSpans == 10)
            #expect(try await store.deleteSpans(startedBefore: at(50), limit: 10).deletedSpans == 5, "fewer than a chunk: done")
            #expect(try await store.deleteSpans(startedBefore: at(50), limit: 10).deletedSpans == 0)
            #expect(try await store.spans(traceID: recent[0].traceID) == recent)
        }
    }

    @Test("a flow goes with its last span: summary, index rows and dirty mark; a flow with spans left keeps its summary")
    func flows() async throws {
        try await withPostgresStore { store in
            let gone = [Spans.make(trace: 1, span: 1, correlationID: "gone", startMs: 1), Spans.make(trace: 1, span: 2, correlationID: "gone", startMs: 2)]
            let straddling = [
                Spans.make(trace: 2, span: 1, correlationID: "straddling", startMs: 3),
                Spans.make(trace: 2, span: 2, correlationID: "straddling", startMs: 500),
            ]
            let kept = [Spans.make(trace: 3, span: 1, correlationID: "kept", startMs: 600)]
            try await store.append(gone + straddling + kept)
            let marks = try await store.dirtyFlows(limit: 10)
            try await store.upsertSummaries(
                [
                    Spans.summary("gone", .completed, startedMs: 1, lastMs: 2),
                    Spans.summary("straddling", .inFlight, startedMs: 3, lastMs: 500),
                    Spans.summary("kept", .stuck, startedMs: 600, lastMs: 600),
                ], clearing: marks)
            try await store.append([Spans.make(trace: 4, span: 1, correlationID: "unindexed", startMs: 4)])
            #expect(try await store.deleteSpans(startedBefore: at(100), limit: 1000) == RetentionChunk(deletedSpans: 4, deletedFlows: 2))
            #expect(try await store.flowSummary(correlationID: "gone") == nil)
            #expect(try await store.flowSummaries(FlowQuery(types: ["OrderPlaced"])).map(\.correlationID) == ["kept", "straddling"], "index rows went too")
            #expect(try await store.dirtyFlows(limit: 10).isEmpty, "the dirty mark of an emptied flow went too")
            #expect(try await store.flowCounts(FlowQuery()) == [.inFlight: 1, .stuck: 1])
        }
    }

    @Test("whole partitions before the cutoff are dropped, counted and their emptied flows forgotten; the cut one loses rows")
    func dropsPartitions() async throws {
        try await withPostgresStore { store in
            let dayMs = Self.day / 1_000_000
            // Days 0 and 1 hold flows "d0" and "d1" entirely; "long" runs from day 0 to after the cut on day 2.
            try await store.append(
                [
                    Spans.make(trace: 1, span: 1, correlationID: "d0", startMs: 10),
                    Spans.make(trace: 1, span: 2, correlationID: "d0", startMs: 20),
                    Spans.make(trace: 1, span: 3, correlationID: "long", startMs: 30),
                    Spans.make(trace: 2, span: 1, correlationID: "d1", startMs: dayMs + 10),
                    Spans.make(trace: 3, span: 1, correlationID: nil, startMs: 2 * dayMs + 10),
                    Spans.make(trace: 3, span: 2, correlationID: nil, startMs: 2 * dayMs + 20),
                    Spans.make(trace: 3, span: 3, correlationID: "long", startMs: 2 * dayMs + 90),
                ])
            try await store.upsertSummaries(["d0", "d1", "long"].map { Spans.summary($0, .completed, startedMs: 0, lastMs: 1) }, clearing: [])
            let before = try await partitionNames(store)
            #expect(before.contains("spans_20231114") && before.contains("spans_20231115") && before.contains("spans_20231116"))
            // Spans.base is 2023-11-14 22:13:20 UTC: day 0 starts in partition 20231114, the cut falls in 20231116.
            let cutoff = at(2 * dayMs + 50)
            let chunk = try await store.deleteSpans(startedBefore: cutoff, limit: 1000)
            #expect(chunk == RetentionChunk(deletedSpans: 6, deletedFlows: 2))
            let after = try await partitionNames(store)
            #expect(!after.contains("spans_20231114") && !after.contains("spans_20231115") && after.contains("spans_20231116"))
            #expect(try await store.flowSummary(correlationID: "d0") == nil)
            #expect(try await store.flowSummary(correlationID: "d1") == nil)
            #expect(try await store.flowSummary(correlationID: "long") != nil, "a flow with a span left stays")
            #expect(try await store.spans(traceID: TraceID(high: 0xC0FFEE, low: 3)).map(\.spanID) == [SpanID(3)])
            #expect(try await store.spanCount() == 1)
            // A span of a dropped day arriving late gets a partition again.
            try await store.append([Spans.make(trace: 9, span: 9, correlationID: "late", startMs: 5)])
            #expect(try await store.spans(correlationID: "late").count == 1)
        }
    }

    @Test("retention and ingest interleave: appends during a sweep are neither lost nor blocked for good")
    func interleaves() async throws {
        try await withPostgresStore { store in
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
