import ChoreoModel
import ChoreoStore
import Testing

/// Tail sampling in the store: writing an entry sampled out deletes the flow's spans in the same
/// write, only while its claim holds, and the entry stays readable. Every store runs the same checks.
@Suite("Span store: sampled-out flows")
struct FlowSamplingStoreTests {
    func withStore(_ kind: StoreKind, _ body: (any SpanStore) async throws -> Void) async throws {
        let underTest = try kind.make()
        do {
            try await body(underTest.store)
        } catch {
            await underTest.dispose()
            throw error
        }
        await underTest.dispose()
    }

    static let at = Spans.base + 60_000_000_000

    static func spans() -> [SpanRecord] {
        [
            Spans.make(trace: 1, span: 1, correlationID: "a", startMs: 1),
            Spans.make(trace: 1, span: 2, correlationID: "a", startMs: 2),
            Spans.make(trace: 2, span: 3, correlationID: "a", startMs: 3),
            Spans.make(trace: 2, span: 4, correlationID: "b", startMs: 4),
            Spans.make(trace: 3, span: 5, correlationID: "b", startMs: 5),
            Spans.make(trace: 3, span: 6, correlationID: nil, startMs: 6),
        ]
    }

    static func entry(_ id: String, sampledOut: UInt64?) -> IndexedFlow {
        var entry = FlowIndexStoreTests.entry(
            id, .completed, lastMs: 10, types: ["OrderPlaced", "PaymentReceived", "OrderCompleted"], services: ["checkout", "payment"])
        entry.sampledOutAtUnixNano = sampledOut
        return entry
    }

    @Test("an entry written sampled out deletes that flow's spans and no other, and keeps its summary, trail and counts", arguments: StoreKind.allCases)
    func sampledOutDeletesSpans(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.append(Self.spans())
            let dirty = try await store.claimDirtyFlows(at: Self.at, limit: 10, lease: .seconds(30))
            #expect(Set(dirty.map(\.correlationID)) == ["a", "b"])
            let a = Self.entry("a", sampledOut: Self.at)
            try await store.upsertFlows([a, Self.entry("b", sampledOut: nil)], clearing: dirty)
            #expect(try await store.spans(correlationID: "a").isEmpty)
            #expect(try await store.spans(correlationID: "b").count == 2)
            #expect(try await store.spanCount() == 3, "b's spans and the span without a flow stay")
            #expect(try await store.spans(traceID: TraceID(high: 0xC0FFEE, low: 1)).isEmpty)
            #expect(
                try await store.sampledOutFlows(["a", "b", "x"])
                    == ["a": SampledOutFlow(summary: a.summary, trail: a.trail, sampledOutAtUnixNano: Self.at)])
            #expect(try await store.flowSummary(correlationID: "a") == a.summary)
            #expect(Set(try await store.flowTrails(FlowQuery(limit: 10)).map(\.correlationID)) == ["a", "b"])
            #expect(try await store.flowCounts(FlowQuery()) == [.completed: 2])
            #expect(try await store.dirtyFlows(limit: 10).isEmpty)
            #expect(try await store.sampledOutFlows([]).isEmpty)
        }
    }

    @Test("a sampled-out flow keeps its error spans, late ones too; the rest go", arguments: StoreKind.allCases)
    func errorSpansStay(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var failedAttempt = Spans.make(trace: 1, span: 9, correlationID: "a", startMs: 9)
            failedAttempt.statusCode = .error
            try await store.append(Self.spans() + [failedAttempt])
            let first = try await store.claimDirtyFlows(at: Self.at, limit: 10, lease: .seconds(30))
            try await store.upsertFlows([Self.entry("a", sampledOut: Self.at), Self.entry("b", sampledOut: nil)], clearing: first)
            #expect(try await store.spans(correlationID: "a").map(\.spanID) == [SpanID(9)])
            #expect(try await store.spanCount() == 4, "a's error span, b's two spans and the span without a flow")
            var lateError = Spans.make(trace: 4, span: 10, correlationID: "a", startMs: 80)
            lateError.statusCode = .error
            try await store.append([Spans.make(trace: 4, span: 7, correlationID: "a", startMs: 70), lateError])
            let late = try await store.claimDirtyFlows(at: Self.at + 1, limit: 10, lease: .seconds(30))
            let kept = try #require(try await store.sampledOutFlows(["a"])["a"])
            try await store.upsertFlows([kept.entry], clearing: late)
            #expect(Set(try await store.spans(correlationID: "a").map(\.spanID)) == [SpanID(9), SpanID(10)])
        }
    }

    /// Retention forgets a flow when it deletes the flow's last span; a sampled-out flow's spans
    /// went when it was decided, so no span deletion names it, and its entry used to stay forever.
    @Test("retention forgets a sampled-out flow once its last activity is older than the cutoff, not before", arguments: StoreKind.allCases)
    func retentionForgetsSampledOutFlows(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let retention = try #require(store as? any SpanRetention, "every store deletes expired spans")
            try await store.append(Self.spans())
            let dirty = try await store.claimDirtyFlows(at: Self.at, limit: 10, lease: .seconds(30))
            try await store.upsertFlows([Self.entry("a", sampledOut: Self.at), Self.entry("b", sampledOut: nil)], clearing: dirty)
            // a's last activity (10 ms) is after this cutoff: it stays; b keeps a span (5 ms).
            let early = try await retention.deleteSpans(startedBefore: Spans.base + 5_000_000, limit: 100)
            #expect(early == RetentionChunk(deletedSpans: 1, deletedFlows: 0))
            #expect(try await store.sampledOutFlows(["a"])["a"] != nil)
            // Past a's last activity: a goes with its entry, b with its last spans.
            let late = try await retention.deleteSpans(startedBefore: Spans.base + 11_000_000, limit: 100)
            #expect(late == RetentionChunk(deletedSpans: 2, deletedFlows: 2))
            #expect(try await store.sampledOutFlows(["a"]).isEmpty)
            #expect(try await store.flowSummary(correlationID: "a") == nil)
            #expect(try await store.flowCounts(FlowQuery()).isEmpty)
            #expect(try await retention.deleteSpans(startedBefore: Spans.base + 11_000_000, limit: 100) == RetentionChunk())
        }
    }

    @Test("writing the sampled-out entry again deletes the spans that arrived since (late spans)", arguments: StoreKind.allCases)
    func lateSpansGo(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.append(Self.spans())
            let first = try await store.claimDirtyFlows(at: Self.at, limit: 10, lease: .seconds(30))
            try await store.upsertFlows([Self.entry("a", sampledOut: Self.at), Self.entry("b", sampledOut: nil)], clearing: first)
            try await store.append([Spans.make(trace: 4, span: 7, correlationID: "a", startMs: 70)])
            #expect(try await store.spans(correlationID: "a").count == 1)
            let late = try await store.claimDirtyFlows(at: Self.at + 1, limit: 10, lease: .seconds(30))
            #expect(late.map(\.correlationID) == ["a"])
            let kept = try #require(try await store.sampledOutFlows(["a"])["a"])
            try await store.upsertFlows([kept.entry], clearing: late)
            #expect(try await store.spans(correlationID: "a").isEmpty)
            #expect(try await store.sampledOutFlows(["a"])["a"] == kept)
        }
    }

    @Test("a sampled-out entry whose claim was taken over deletes nothing (decided once)", arguments: StoreKind.allCases)
    func staleClaimDeletesNothing(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.append(Self.spans())
            let lapsed = try await store.claimDirtyFlows(at: Self.at, limit: 10, lease: .seconds(1))
            let taken = try await store.claimDirtyFlows(at: Self.at + 2_000_000_000, limit: 10, lease: .seconds(30))
            #expect(Set(taken.map(\.correlationID)) == ["a", "b"], "the lease ran out: another indexer takes the flows")
            try await store.upsertFlows([Self.entry("a", sampledOut: Self.at)], clearing: lapsed)
            #expect(try await store.spans(correlationID: "a").count == 3)
            #expect(try await store.sampledOutFlows(["a"]).isEmpty)
            try await store.upsertFlows([Self.entry("a", sampledOut: nil), Self.entry("b", sampledOut: nil)], clearing: taken)
            #expect(try await store.spans(correlationID: "a").count == 3)
            #expect(try await store.sampledOutFlows(["a", "b"]).isEmpty)
        }
    }
}
