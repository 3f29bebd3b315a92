import ChoreoModel
import ChoreoStore
import Testing

/// The flow index beyond summaries: type and service lookups, trails, counts, trace search,
/// read-only opening and the migration from schema version 1. Every store runs the same checks.
@Suite("Span store: flow index and trace search")
struct FlowIndexStoreTests {
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

    static func entry(_ id: String, _ status: FlowStatus, lastMs: UInt64, types: [String], services: [String]) -> IndexedFlow {
        var summary = Spans.summary(id, status, startedMs: 0, lastMs: lastMs)
        summary.types = types
        summary.services = services
        let trail = types.enumerated().map { i, type in
            FlowTrail.Step(type: type, service: services[i % services.count], publishedAtUnixNano: Spans.base + UInt64(i) * 1_000_000)
        }
        return IndexedFlow(summary: summary, trail: trail)
    }

    static let entries = [
        entry("a", .completed, lastMs: 10, types: ["OrderPlaced", "PaymentReceived", "OrderCompleted"], services: ["checkout", "payment"]),
        entry("b", .stuck, lastMs: 50, types: ["OrderPlaced", "PaymentDeclined"], services: ["checkout", "payment", "account"]),
        entry("c", .compensated, lastMs: 30, types: ["OrderPlaced", "RefundPayment"], services: ["order"]),
    ]

    @Test("flows are listed by type and by service through the index, combined with status", arguments: StoreKind.allCases)
    func typeAndService(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.upsertFlows(Self.entries, clearing: [])
            func ids(_ query: FlowQuery) async throws -> [String] { try await store.flowSummaries(query).map(\.correlationID) }
            #expect(try await ids(FlowQuery(types: ["OrderPlaced"])) == ["b", "c", "a"])
            #expect(try await ids(FlowQuery(types: ["PaymentDeclined", "RefundPayment"])) == ["b", "c"])
            #expect(try await ids(FlowQuery(services: ["account"])) == ["b"])
            #expect(try await ids(FlowQuery(statuses: [.completed], types: ["OrderPlaced"])) == ["a"])
            #expect(try await ids(FlowQuery(types: ["OrderPlaced"], services: ["order"])) == ["c"])
            #expect(try await ids(FlowQuery(types: ["Nothing"])).isEmpty)
            // A flow that changes its types leaves the old type's listing.
            try await store.upsertFlows([Self.entry("b", .completed, lastMs: 60, types: ["OrderPlaced"], services: ["checkout"])], clearing: [])
            #expect(try await ids(FlowQuery(types: ["PaymentDeclined"])).isEmpty)
            #expect(try await ids(FlowQuery(services: ["account"])).isEmpty)
        }
    }

    @Test("trails round-trip in step order, most recent flow first, with the list's filters", arguments: StoreKind.allCases)
    func trails(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.upsertFlows(Self.entries, clearing: [])
            let trails = try await store.flowTrails(FlowQuery(limit: 10))
            #expect(trails.map(\.correlationID) == ["b", "c", "a"])
            #expect(trails.last?.steps == Self.entries[0].trail)
            #expect(try await store.flowTrails(FlowQuery(statuses: [.compensated])).map(\.correlationID) == ["c"])
            #expect(try await store.flowTrails(FlowQuery(limit: 1)).count == 1)
            // Summaries written without a trail are left out of discovery.
            try await store.upsertSummaries([Spans.summary("d", .completed, startedMs: 0, lastMs: 99)], clearing: [])
            #expect(try await store.flowTrails(FlowQuery()).map(\.correlationID) == ["b", "c", "a"])
        }
    }

    @Test("counts per status honour the window and ignore the status filter", arguments: StoreKind.allCases)
    func counts(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.upsertFlows(Self.entries, clearing: [])
            #expect(try await store.flowCounts(FlowQuery()) == [.completed: 1, .stuck: 1, .compensated: 1])
            #expect(try await store.flowCounts(FlowQuery(statuses: [.failed], since: Spans.base + 20_000_000)) == [.stuck: 1, .compensated: 1])
        }
    }

    @Test("trace search filters by service, name, attribute, errors and time, newest first", arguments: StoreKind.allCases)
    func traceSearch(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var failing = Spans.make(trace: 2, span: 20, correlationID: "order-2", startMs: 20, service: "inventory")
            failing.statusCode = .error
            try await store.append([
                Spans.make(trace: 1, span: 10, startMs: 10),
                Spans.make(trace: 1, span: 11, startMs: 12, service: "order"),
                failing,
                Spans.make(trace: 3, span: 30, correlationID: nil, startMs: 30),
            ])
            func ids(_ query: TraceQuery) async throws -> [UInt64] { try await store.traceSummaries(query).map(\.traceID.low) }
            #expect(try await ids(TraceQuery()) == [3, 2, 1])
            #expect(try await ids(TraceQuery(service: "inventory")) == [2])
            #expect(try await ids(TraceQuery(errorsOnly: true)) == [2])
            #expect(try await ids(TraceQuery(attributes: [MessagingKey.conversationID: "order-1"])) == [1])
            #expect(try await ids(TraceQuery(name: "process")) == [3, 2, 1])
            #expect(try await ids(TraceQuery(name: "nothing")).isEmpty)
            #expect(try await ids(TraceQuery(since: Spans.base + 15_000_000, until: Spans.base + 25_000_000)) == [2])
            #expect(try await ids(TraceQuery(limit: 1)) == [3])
            let one = try #require(try await store.traceSummaries(TraceQuery(service: "order")).first)
            #expect(one.spanCount == 2 && one.errorCount == 0 && one.correlationIDs == ["order-1"])
            #expect(one.durationNanos == 4_000_000)
            #expect(try await store.traceSummaries(TraceQuery(errorsOnly: true)).first?.errorCount == 1)
        }
    }

    @Test(
        "due times: flows at or before a time, earliest first, limited; a new entry without one, or a plain summary, clears it", arguments: StoreKind.allCases)
    func dueTimes(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            func entry(_ id: String, due: UInt64?) -> IndexedFlow {
                IndexedFlow(summary: Spans.summary(id, .inFlight, startedMs: 0, lastMs: 1), trail: [], dueAtUnixNano: due)
            }
            try await store.upsertFlows([entry("c", due: 300), entry("a", due: 100), entry("b", due: 200), entry("x", due: nil)], clearing: [])
            #expect(try await store.dueFlows(at: 99, limit: 10).isEmpty)
            #expect(try await store.dueFlows(at: 200, limit: 10) == ["a", "b"])
            #expect(try await store.dueFlows(at: 1_000, limit: 2) == ["a", "b"])
            try await store.upsertFlows([entry("a", due: nil)], clearing: [])
            try await store.upsertSummaries([Spans.summary("b", .stuck, startedMs: 0, lastMs: 1)], clearing: [])
            #expect(try await store.dueFlows(at: .max, limit: 10) == ["c"])
        }
    }

    static let second: UInt64 = 1_000_000_000

    @Test(
        "claims: dirty flows go out oldest first to one claim at a time; a claim that ran out is taken over and its late write changes nothing",
        arguments: StoreKind.allCases)
    func claims(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for (n, id) in ["a", "b", "c"].enumerated() {
                try await store.append([Spans.make(trace: 1, span: UInt64(n), correlationID: id, startMs: UInt64(n))])
            }
            let t = Spans.base
            let first = try await store.claimDirtyFlows(at: t, limit: 2, lease: .seconds(10))
            #expect(first.map(\.correlationID) == ["a", "b"])
            #expect(first.allSatisfy { $0.claim != nil })
            let second = try await store.claimDirtyFlows(at: t + 5 * Self.second, limit: 10, lease: .seconds(10))
            #expect(second.map(\.correlationID) == ["c"], "flows a claim holds go to no other claim")
            #expect(try await store.claimDirtyFlows(at: t + 10 * Self.second - 1, limit: 10, lease: .seconds(10)).isEmpty)
            #expect(try await store.dirtyFlows(limit: 10).count == 3, "claimed flows are still dirty")

            // The first claim's holder stalls past its lease: another claim takes a and b over.
            let takeover = try await store.claimDirtyFlows(at: t + 10 * Self.second, limit: 10, lease: .seconds(10))
            #expect(takeover.map(\.correlationID) == ["a", "b"], "a claim that ran out is handed out again")
            #expect(Set(takeover.map(\.claim)).count == 1 && takeover.first?.claim != first.first?.claim)

            // The stalled holder writes late: nothing is written and the marks stay for the new holder.
            let late = first.map { Spans.summary($0.correlationID, .stuck, startedMs: 0, lastMs: 1) }
            try await store.upsertFlows(late.map { IndexedFlow(summary: $0, trail: []) }, clearing: first)
            #expect(try await store.flowSummary(correlationID: "a") == nil, "a write under a claim that was taken over is not written")
            #expect(Set(try await store.dirtyFlows(limit: 10).map(\.correlationID)) == ["a", "b", "c"])

            let fresh = takeover.map { Spans.summary($0.correlationID, .completed, startedMs: 0, lastMs: 2) }
            try await store.upsertSummaries(fresh, clearing: takeover)
            try await store.upsertFlows([IndexedFlow(summary: Spans.summary("c", .completed, startedMs: 0, lastMs: 2), trail: [])], clearing: second)
            #expect(try await store.flowSummary(correlationID: "a")?.status == .completed)
            #expect(try await store.dirtyFlows(limit: 10).isEmpty)
            // The stalled holder's write after the new holder cleared the mark changes nothing either.
            try await store.upsertSummaries(late, clearing: first)
            #expect(try await store.flowSummary(correlationID: "b")?.status == .completed, "a mark cleared since: the newer entry stays")
            #expect(try await store.claimDirtyFlows(at: t + 30 * Self.second, limit: 10, lease: .seconds(10)).isEmpty)

            // A claim given back without a write (a pass that failed) is handed out again at once.
            try await store.append([Spans.make(trace: 2, span: 9, correlationID: "d", startMs: 9)])
            let given = try await store.claimDirtyFlows(at: t + 30 * Self.second, limit: 10, lease: .seconds(3600))
            try await store.releaseClaims(given)
            let again = try await store.claimDirtyFlows(at: t + 30 * Self.second, limit: 10, lease: .seconds(3600))
            #expect(again.map(\.correlationID) == ["d"])
            #expect(again.first?.version == given.first?.version)
        }
    }

    @Test("spans appended while a flow is claimed leave it dirty, and the write releases the claim at once", arguments: StoreKind.allCases)
    func claimedFlowGrows(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.append([Spans.make(trace: 1, span: 1, startMs: 1)])
            let t = Spans.base
            let claimed = try await store.claimDirtyFlows(at: t, limit: 10, lease: .seconds(3600))
            #expect(claimed.map(\.correlationID) == ["order-1"])
            try await store.append([Spans.make(trace: 1, span: 2, startMs: 2)])  // while the indexer rebuilds it
            let summary = Spans.summary("order-1", .inFlight, startedMs: 1, lastMs: 1)
            try await store.upsertSummaries([summary], clearing: claimed)
            #expect(try await store.flowSummary(correlationID: "order-1") == summary, "the claim held: the entry is written")
            let again = try await store.claimDirtyFlows(at: t, limit: 10, lease: .seconds(3600))
            #expect(again.map(\.correlationID) == ["order-1"], "still dirty, and claimable again without waiting for the lease")
            #expect(try #require(again.first).version > claimed[0].version)
            try await store.upsertSummaries([summary], clearing: again)
            #expect(try await store.dirtyFlows(limit: 10).isEmpty)
        }
    }

    @Test(
        "due flows are claimed once until written; a due claim that ran out is handed out again; the write releases it with the new due time",
        arguments: StoreKind.allCases)
    func dueClaims(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            func entry(_ id: String, due: UInt64?) -> IndexedFlow {
                IndexedFlow(summary: Spans.summary(id, .inFlight, startedMs: 0, lastMs: 1), trail: [], dueAtUnixNano: due)
            }
            let t = Spans.base
            try await store.upsertFlows([entry("a", due: t + 100), entry("b", due: t + 200), entry("x", due: nil)], clearing: [])
            let due = try await store.claimDueFlows(at: t + 150, limit: 10, lease: .seconds(1))
            #expect(due.map(\.correlationID) == ["a"])
            #expect(due.first?.claim != nil)
            #expect(try await store.claimDueFlows(at: t + 150, limit: 10, lease: .seconds(1)).isEmpty, "held by the claim")
            #expect(try await store.claimDirtyFlows(at: t + 150, limit: 10, lease: .seconds(1)).isEmpty, "held by the claim")
            let b = try await store.claimDueFlows(at: t + 300, limit: 10, lease: .seconds(1))
            #expect(b.map(\.correlationID) == ["b"])
            try await store.upsertFlows([entry("b", due: nil)], clearing: b)

            // The lease runs out: a is handed out again (as a due flow, or as the dirty mark a
            // store shared by several processes made of it), once.
            let later = t + 150 + Self.second
            let retaken =
                try await store.claimDueFlows(at: later, limit: 10, lease: .seconds(60))
                + store.claimDirtyFlows(at: later, limit: 10, lease: .seconds(60))
            #expect(retaken.map(\.correlationID) == ["a"])
            try await store.upsertFlows([entry("a", due: t + 5 * Self.second)], clearing: retaken)
            #expect(try await store.dueFlows(at: t + 5 * Self.second - 1, limit: 10) == [])
            #expect(try await store.dueFlows(at: t + 5 * Self.second, limit: 10) == ["a"])
            #expect(try await store.dirtyFlows(limit: 10).isEmpty)
            #expect(try await store.claimDueFlows(at: t + 5 * Self.second, limit: 10, lease: .seconds(1)).map(\.correlationID) == ["a"])
        }
    }

    @Test("the judging the indexer records is read back as written, replaced by the next, and absent at first", arguments: StoreKind.allCases)
    func judgingRoundTrip(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            #expect(try await store.judging() == nil)
            try await store.saveJudging(Array("{\"a\":1}".utf8))
            #expect(try await store.judging() == Array("{\"a\":1}".utf8))
            try await store.saveJudging([0, 1, 2, 255])
            #expect(try await store.judging() == [0, 1, 2, 255], "binary bytes survive, the newer replaces the older")
        }
    }
}

@Suite("SQLite store: read-only opening and migration")
struct SQLiteIndexMigrationTests {
    @Test("a read-only store reads what a writer wrote and refuses to write")
    func readOnly() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("spans.sqlite")
        let writer = try SQLiteSpanStore(path: path)
        try await writer.upsertFlows(FlowIndexStoreTests.entries, clearing: [])
        let reader = try SQLiteSpanStore(readingFrom: path)
        #expect(try await reader.flowSummaries(FlowQuery(types: ["RefundPayment"])).map(\.correlationID) == ["c"])
        await #expect(throws: StoreError.self) { try await reader.append([Spans.make(trace: 9, span: 9, startMs: 0)]) }
        await reader.close()
        await writer.close()
        #expect(throws: StoreError.self) { try SQLiteSpanStore(readingFrom: directory.file("missing.sqlite")) }
    }

    @Test("a version-1 file gains the type and service index, and its flows are marked for re-indexing")
    func migrationFromVersion1() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("old.sqlite")
        try SQLiteTool.run(
            path,
            """
            CREATE TABLE spans (trace_id BLOB NOT NULL, span_id BLOB NOT NULL, correlation_id TEXT, service TEXT NOT NULL,
                name TEXT NOT NULL, kind TEXT NOT NULL, start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL, status TEXT NOT NULL,
                record BLOB NOT NULL, PRIMARY KEY (trace_id, span_id))
            """)
        try SQLiteTool.run(
            path,
            """
            CREATE TABLE flow_summaries (correlation_id TEXT PRIMARY KEY, status TEXT NOT NULL, outcome TEXT,
                started_ns INTEGER NOT NULL, last_activity_ns INTEGER NOT NULL, step_count INTEGER NOT NULL,
                compensation_count INTEGER NOT NULL, error_count INTEGER NOT NULL, waiting_for TEXT, services TEXT NOT NULL, types TEXT NOT NULL)
            """)
        try SQLiteTool.run(path, "CREATE TABLE dirty_flows (correlation_id TEXT PRIMARY KEY, version INTEGER NOT NULL)")
        try SQLiteTool.run(
            path,
            """
            INSERT INTO flow_summaries VALUES ('old-1', 'completed', 'OrderCompleted', 1, 2, 3, 0, 0, NULL,
                '["checkout","payment"]', '["OrderPlaced","PaymentReceived"]')
            """)
        try SQLiteTool.run(path, "PRAGMA user_version = 1")
        #expect(throws: StoreError.self) { try SQLiteSpanStore(readingFrom: path) }
        let store = try SQLiteSpanStore(path: path)
        #expect(try await store.flowSummaries(FlowQuery(types: ["PaymentReceived"])).map(\.correlationID) == ["old-1"])
        #expect(try await store.flowSummaries(FlowQuery(services: ["checkout"])).map(\.correlationID) == ["old-1"])
        #expect(try await store.dirtyFlows(limit: 10).map(\.correlationID) == ["old-1"])
        await store.close()
        #expect(try SQLiteTool.run(path, "PRAGMA user_version") == ["5"])
        try SQLiteTool.run(path, "DELETE FROM flow_summaries WHERE correlation_id = 'old-1'")
        #expect(try SQLiteTool.run(path, "SELECT count(*) FROM flow_types") == ["0"], "deleting a summary deletes its index rows")
    }
}
