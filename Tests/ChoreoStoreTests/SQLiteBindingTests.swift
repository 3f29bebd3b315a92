import ChoreoModel
import ChoreoStore
import Testing

/// Text is bound with its exact length: a NUL inside a value from a request is part of it.
@Suite("SQLite text binding")
struct SQLiteBindingTests {
    @Test("a correlation id with a NUL is stored whole and never matches the text before the NUL")
    func nulInsideText() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteSpanStore(path: directory.file("nul.sqlite"))
        try await store.append([
            Spans.make(trace: 1, span: 1, correlationID: "order-1", startMs: 1),
            Spans.make(trace: 2, span: 2, correlationID: "order-2\u{0}evil", startMs: 2),
        ])
        #expect(try await store.spans(correlationID: "order-1\u{0}evil").isEmpty)
        #expect(try await store.spans(correlationID: "order-2").isEmpty)
        let found = try await store.spans(correlationID: "order-2\u{0}evil")
        #expect(found.map(\.spanID) == [SpanID(2)])
        await store.close()
    }
}
