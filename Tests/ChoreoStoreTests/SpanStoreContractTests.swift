import ChoreoModel
import ChoreoStore
import Testing

/// The behaviour every ``SpanStore`` implementation must have.
@Suite("SpanStore contract")
struct SpanStoreContractTests {
    /// Runs `body` against a fresh store of `kind`, disposing of it afterwards.
    func withStore(_ kind: StoreKind, _ body: (any SpanStore) async throws -> Void) async throws {
        let subject = try kind.make()
        do {
            try await body(subject.store)
        } catch {
            await subject.dispose()
            throw error
        }
        await subject.dispose()
    }

    @Test("spans are read back by trace id and by correlation id, ordered by start time", arguments: StoreKind.allCases)
    func readBack(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let a = Spans.make(trace: 1, span: 1, startMs: 30)
            let b = Spans.make(trace: 1, span: 2, startMs: 10)
            let c = Spans.make(trace: 2, span: 3, startMs: 20)
            let other = Spans.make(trace: 2, span: 4, correlationID: "order-2", startMs: 5)
            let loose = Spans.make(trace: 1, span: 5, correlationID: nil, startMs: 40)
            try await store.append([a, b, c, other, loose])

            #expect(try await store.spans(traceID: TraceID(high: 0xC0FFEE, low: 1)) == [b, a, loose])
            #expect(try await store.spans(traceID: TraceID(high: 0xC0FFEE, low: 2)) == [other, c])
            #expect(try await store.spans(correlationID: "order-1") == [b, c, a])
            #expect(try await store.spans(correlationID: "order-2") == [other])
            #expect(try await store.spans(correlationID: "order-3").isEmpty)
            #expect(try await store.spans(traceID: TraceID(high: 9, low: 9)).isEmpty)
            #expect(try await store.spanCount() == 5)
        }
    }

    @Test("spans of many flows in one read: each flow's spans in start order, past one statement's 64 ids, unknown ids absent", arguments: StoreKind.allCases)
    func readManyFlows(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var spans: [SpanRecord] = []
            for flow in 0..<150 {
                for step in 0..<3 {
                    spans.append(
                        Spans.make(trace: UInt64(flow), span: UInt64(flow * 10 + step), correlationID: "order-\(flow)", startMs: UInt64(30 - step * 10)))
                }
            }
            try await store.append(spans)
            let ids = (0..<150).map { "order-\($0)" } + ["order-none", "order-7"]
            let byFlow = try await store.spans(correlationIDs: ids)
            #expect(byFlow.count == 150)
            for flow in [0, 63, 64, 65, 127, 128, 149] {
                #expect(byFlow["order-\(flow)"] == (try await store.spans(correlationID: "order-\(flow)")), "flow \(flow)")
                #expect(byFlow["order-\(flow)"]?.map(\.startTimeUnixNano) == [10, 20, 30].map { Spans.base + $0 * 1_000_000 })
            }
            #expect(byFlow["order-none"] == nil)
            #expect(try await store.spans(correlationIDs: []).isEmpty)
        }
    }

    @Test("a re-sent span is stored once", arguments: StoreKind.allCases)
    func duplicates(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let a = Spans.make(trace: 1, span: 1, startMs: 1)
            let b = Spans.make(trace: 1, span: 2, startMs: 2)
            try await store.append([a, b, a])
            try await store.append([b])
            #expect(try await store.spanCount() == 2)
            #expect(try await store.spans(correlationID: "order-1") == [a, b])
            let sameSpanOtherTrace = Spans.make(trace: 2, span: 1, startMs: 3)
            try await store.append([sameSpanOtherTrace])
            #expect(try await store.spanCount() == 3)
        }
    }

    @Test("appending marks flows dirty; a clear with an outdated version keeps the mark", arguments: StoreKind.allCases)
    func dirtyVersions(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.append([Spans.make(trace: 1, span: 1, startMs: 1), Spans.make(trace: 1, span: 2, correlationID: "order-2", startMs: 1)])
            let first = try await store.dirtyFlows(limit: 10)
            #expect(Set(first.map(\.correlationID)) == ["order-1", "order-2"])
            #expect(try await store.dirtyFlows(limit: 1).count == 1)
            let firstMark = try #require(first.first { $0.correlationID == "order-1" })

            try await store.append([Spans.make(trace: 1, span: 3, startMs: 2)])
            let second = try await store.dirtyFlows(limit: 10)
            let secondMark = try #require(second.first { $0.correlationID == "order-1" })
            #expect(secondMark.version > firstMark.version)

            let summary = Spans.summary("order-1", .inFlight, startedMs: 1, lastMs: 4)
            try await store.upsertSummaries([summary], clearing: [firstMark])
            #expect(try await store.dirtyFlows(limit: 10).contains { $0.correlationID == "order-1" })
            #expect(try await store.flowSummary(correlationID: "order-1") == summary)

            let order2 = try #require(second.first { $0.correlationID == "order-2" })
            try await store.upsertSummaries([], clearing: [secondMark, order2])
            #expect(try await store.dirtyFlows(limit: 10).isEmpty)

            try await store.append([Spans.make(trace: 1, span: 3, startMs: 2)])
            #expect(try await store.dirtyFlows(limit: 10).isEmpty, "a re-sent span changes nothing")
            try await store.append([Spans.make(trace: 1, span: 9, correlationID: nil, startMs: 2)])
            #expect(try await store.dirtyFlows(limit: 10).isEmpty, "a span of no flow marks nothing")
            try await store.append([Spans.make(trace: 1, span: 4, startMs: 3)])
            let third = try await store.dirtyFlows(limit: 10)
            #expect(third.map(\.correlationID) == ["order-1"])
            #expect(try #require(third.first).version > secondMark.version)
        }
    }

    @Test("summaries are upserted and queried by status, since, until and limit, latest first", arguments: StoreKind.allCases)
    func summaries(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let all = [
                Spans.summary("a", .completed, startedMs: 0, lastMs: 10),
                Spans.summary("b", .stuck, startedMs: 5, lastMs: 50),
                Spans.summary("c", .failed, startedMs: 20, lastMs: 30),
                Spans.summary("d", .stuck, startedMs: 40, lastMs: 40),
                Spans.summary("e", .inFlight, startedMs: 60, lastMs: 70),
            ]
            try await store.upsertSummaries(all, clearing: [])
            func ids(_ query: FlowQuery) async throws -> [String] {
                try await store.flowSummaries(query).map(\.correlationID)
            }
            #expect(try await ids(FlowQuery()) == ["e", "b", "d", "c", "a"])
            #expect(try await ids(FlowQuery(statuses: [.stuck])) == ["b", "d"])
            #expect(try await ids(FlowQuery(statuses: [.stuck, .failed, .stuck])) == ["b", "d", "c"])
            #expect(try await ids(FlowQuery(since: Spans.base + 40_000_000)) == ["e", "b", "d"])
            #expect(try await ids(FlowQuery(until: Spans.base + 20_000_000)) == ["b", "c", "a"])
            #expect(try await ids(FlowQuery(statuses: [.stuck], since: Spans.base + 45_000_000)) == ["b"])
            #expect(try await ids(FlowQuery(limit: 2)) == ["e", "b"])
            #expect(try await ids(FlowQuery(limit: 0)).isEmpty)
            #expect(try await store.flowSummaries(FlowQuery(statuses: [.failed])) == [all[2]])

            var changed = all[1]
            changed.status = .compensated
            changed.outcome = "OrderCancelled"
            changed.waitingFor = nil
            changed.lastActivityAtUnixNano = Spans.base + 80_000_000
            changed.services = ["inventory"]
            try await store.upsertSummaries([changed], clearing: [])
            #expect(try await store.flowSummary(correlationID: "b") == changed)
            #expect(try await ids(FlowQuery(statuses: [.stuck])) == ["d"])
            #expect(try await ids(FlowQuery()).first == "b")
            #expect(try await store.flowSummary(correlationID: "zzz") == nil)
        }
    }

    @Test("summaries with equal last activity are ordered by correlation id", arguments: StoreKind.allCases)
    func summaryTies(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.upsertSummaries(
                ["z", "m", "a"].map { Spans.summary($0, .completed, startedMs: 0, lastMs: 5) }, clearing: []
            )
            #expect(try await store.flowSummaries(FlowQuery()).map(\.correlationID) == ["a", "m", "z"])
        }
    }

    @Test("an empty append is a no-op", arguments: StoreKind.allCases)
    func emptyAppend(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.append([])
            #expect(try await store.spanCount() == 0)
            #expect(try await store.dirtyFlows(limit: 10).isEmpty)
        }
    }
}
