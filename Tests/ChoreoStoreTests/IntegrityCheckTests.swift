import ChoreoModel
import ChoreoStore
import Foundation
import Testing

@Suite("SQLite start-up integrity check")
struct IntegrityCheckTests {
    /// A store whose file has checkpointed pages in the main file and newer commits in its WAL,
    /// copied (main file and WAL) while it is open, as a backup or a crash would leave them.
    ///
    /// The spans belong to no flow, so the pages start-up reads (schema, dirty marks) sit at the
    /// front of the file and a truncated copy still opens without the check, as in the field.
    static func copiedWhileOpen(in directory: TemporaryDirectory) async throws -> (copy: String, spans: Int) {
        let original = directory.file("original.sqlite")
        let store = try SQLiteSpanStore(path: original)
        let padding = AttributeValue.string(String(repeating: "x", count: 2_000))
        func batch(_ range: Range<UInt64>) -> [SpanRecord] {
            range.map { i in
                var span = Spans.make(trace: i, span: i, correlationID: nil, startMs: i)
                span.attributes["padding"] = padding
                return span
            }
        }
        try await store.append(batch(0..<400))
        try SQLiteTool.run(original, "PRAGMA wal_checkpoint(TRUNCATE)")  // into the main file
        try await store.append(batch(400..<500))  // only in the WAL
        let copy = directory.file("copy.sqlite")
        try FileManager.default.copyItem(atPath: original, toPath: copy)
        try FileManager.default.copyItem(atPath: original + "-wal", toPath: copy + "-wal")
        await store.close()
        return (copy, 500)
    }

    @Test("a database truncated while its WAL is present is refused at start-up, naming the damage")
    func truncatedWithWAL() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (copy, _) = try await Self.copiedWhileOpen(in: directory)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: copy)[.size] as? Int)
        #expect(FileManager.default.fileExists(atPath: copy + "-wal"), "the WAL is still there")
        try FileHandle(forWritingAtPath: copy).map {
            try $0.truncate(atOffset: UInt64(size / 2))
            try $0.close()
        }

        let error = #expect(throws: StoreError.self) { _ = try SQLiteSpanStore(path: copy) }
        #expect(error?.code == .cannotOpen)
        #expect(error?.message.contains("damaged") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("integrity check failed") == true, "names what SQLite found: \(error?.message ?? "")")
        #expect(error?.message.contains(copy) == true, "names the file")
    }

    @Test("an intact copy with its WAL opens and holds every committed span")
    func intactCopyOpens() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (copy, spans) = try await Self.copiedWhileOpen(in: directory)
        let store = try SQLiteSpanStore(path: copy)
        #expect(try await store.spanCount() == spans)
        await store.close()
    }

    @Test("a file that is not a database is refused at start-up")
    func notADatabase() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("notes.sqlite")
        try Data(repeating: 0x41, count: 8_192).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) { _ = try SQLiteSpanStore(path: path) }
        #expect(error?.message.contains("damaged") == true, "\(error?.message ?? "")")
    }
}
