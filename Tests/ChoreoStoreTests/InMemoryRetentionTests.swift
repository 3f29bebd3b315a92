import ChoreoModel
import ChoreoStore
import Testing

@Suite("In-memory retention")
struct InMemoryRetentionTests {
    func at(_ ms: UInt64) -> UInt64 { Spans.base + ms * 1_000_000 }

    @Test("oldest spans go first, a chunk at a time; a flow goes with its last span, one with spans left stays")
    func chunksAndFlows() async throws {
        let store = InMemorySpanStore()
        let gone = (0..<3).map { Spans.make(trace: 1, span: UInt64($0 + 1), correlationID: "gone", startMs: UInt64($0)) }
        let split = [Spans.make(trace: 2, span: 1, correlationID: "split", startMs: 5), Spans.make(trace: 2, span: 2, correlationID: "split", startMs: 200)]
        try await store.append(gone + split)
        let marks = try await store.dirtyFlows(limit: 10)
        try await store.upsertSummaries(
            marks.map {
                FlowSummary(
                    correlationID: $0.correlationID, status: .completed, outcome: nil, startedAtUnixNano: at(0),
                    lastActivityAtUnixNano: at(5), stepCount: 1, compensationCount: 0, errorCount: 0
                )
            },
            clearing: []
        )

        let first = try await store.deleteSpans(startedBefore: at(100), limit: 2)
        #expect(first == RetentionChunk(deletedSpans: 2, deletedFlows: 0))
        #expect(try await store.spans(correlationID: "gone").map(\.spanID) == [gone[2].spanID], "the oldest went first")

        let second = try await store.deleteSpans(startedBefore: at(100), limit: 10)
        #expect(second == RetentionChunk(deletedSpans: 2, deletedFlows: 1))
        #expect(try await store.flowSummary(correlationID: "gone") == nil)
        #expect(try await store.dirtyFlows(limit: 10).map(\.correlationID) == ["split"])
        #expect(try await store.flowSummary(correlationID: "split") != nil, "a flow with spans left keeps its summary")
        #expect(try await store.spans(traceID: split[1].traceID) == [split[1]])
        #expect(try await store.deleteSpans(startedBefore: at(100), limit: 10) == RetentionChunk())
        #expect(try await store.spanCount() == 1)
    }
}
