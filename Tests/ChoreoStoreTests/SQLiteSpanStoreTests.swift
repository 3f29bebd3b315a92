import ChoreoModel
import ChoreoStore
import Foundation
import Testing

@Suite("SQLiteSpanStore")
struct SQLiteSpanStoreTests {
    @Test("spans, summaries and dirty marks survive closing and reopening the file")
    func reopen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("choreo.sqlite")
        let spans = (1...20).map { Spans.make(trace: UInt64($0 % 3), span: UInt64($0), startMs: UInt64($0)) }
        let summary = Spans.summary("order-1", .completed, startedMs: 1, lastMs: 22)

        let first = try SQLiteSpanStore(path: path)
        try await first.append(spans)
        try await first.upsertSummaries([summary], clearing: [])
        let marks = try await first.dirtyFlows(limit: 10)
        await first.close()
        await #expect(throws: StoreError.self) { try await first.spanCount() }

        let second = try SQLiteSpanStore(path: path, options: SQLiteOptions(synchronous: .normal, readConnections: 1))
        #expect(try await second.spanCount() == 20)
        #expect(try await second.spans(correlationID: "order-1") == spans)
        #expect(try await second.flowSummary(correlationID: "order-1") == summary)
        #expect(try await second.dirtyFlows(limit: 10) == marks)
        try await second.append([Spans.make(trace: 7, span: 99, startMs: 50)])
        let after = try #require(try await second.dirtyFlows(limit: 10).first)
        #expect(after.version > marks[0].version, "versions keep growing across a reopen")
        await second.close()
    }

    @Test("opening a path in a missing directory says which directory is missing")
    func missingDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.file("no/such/dir")
        let error = try #require(throws: StoreError.self) { try SQLiteSpanStore(path: missing + "/choreo.sqlite") }
        #expect(error.code == .cannotOpen)
        #expect(error.message.contains(missing))
        #expect(error.message.contains("does not exist"))
    }

    @Test("a path that is not a file is refused with a clear error", arguments: ["", ":memory:"])
    func notAFile(_ path: String) throws {
        let error = try #require(throws: StoreError.self) { try SQLiteSpanStore(path: path) }
        #expect(error.code == .cannotOpen)
    }

    @Test("a file with a newer schema is refused")
    func newerSchema() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("future.sqlite")
        try SQLiteTool.run(path, "PRAGMA user_version = 999")
        let error = try #require(throws: StoreError.self) { try SQLiteSpanStore(path: path) }
        #expect(error.code == .schema)
        #expect(error.message.contains("999"))
    }

    @Test("the file is in WAL mode with the expected tables and schema version")
    func schema() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("choreo.sqlite")
        let store = try SQLiteSpanStore(path: path)
        try await store.append([Spans.make(trace: 1, span: 1, startMs: 1)])
        #expect(try SQLiteTool.run(path, "PRAGMA journal_mode") == ["wal"])
        #expect(try SQLiteTool.run(path, "PRAGMA user_version") == ["5"])
        #expect(try SQLiteTool.run(path, "PRAGMA auto_vacuum") == ["2"], "a new file gives deleted pages back (INCREMENTAL)")
        let tables = try SQLiteTool.run(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        #expect(tables == ["dirty_flows", "flow_services", "flow_summaries", "flow_types", "settings", "spans"])
        #expect(
            try SQLiteTool.run(path, "SELECT hex(trace_id), hex(span_id), correlation_id, kind FROM spans")
                == ["0000000000C0FFEE0000000000000001|0000000000000001|order-1|consumer"])
        await store.close()
    }

    @Test("concurrent appends and reads all succeed")
    func concurrency() async throws {
        let subject = try StoreKind.sqlite.make()
        let store = subject.store
        try await withThrowingTaskGroup(of: Void.self) { group in
            for batch in 0..<8 {
                group.addTask {
                    let spans = (0..<50).map { Spans.make(trace: UInt64(batch), span: UInt64($0 + 1), correlationID: "order-\(batch)", startMs: UInt64($0)) }
                    try await store.append(spans)
                    _ = try await store.spans(correlationID: "order-\(batch)")
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.spanCount() == 400)
        #expect(try await store.dirtyFlows(limit: 100).count == 8)
        await subject.dispose()
    }
}
