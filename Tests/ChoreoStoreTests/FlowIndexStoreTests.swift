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
        #expect(try SQLiteTool.run(path, "PRAGMA user_version") == ["3"])
        try SQLiteTool.run(path, "DELETE FROM flow_summaries WHERE correlation_id = 'old-1'")
        #expect(try SQLiteTool.run(path, "SELECT count(*) FROM flow_types") == ["0"], "deleting a summary deletes its index rows")
    }
}
