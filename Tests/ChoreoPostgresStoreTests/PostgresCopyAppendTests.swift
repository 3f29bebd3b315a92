import ChoreoModel
import ChoreoStore
import NIOCore
import PostgresNIO
import Testing

@testable import ChoreoPostgresStore

/// `append` streams a batch with `COPY … FROM STDIN` (text format) and falls back to an
/// `INSERT … ON CONFLICT DO NOTHING` when the batch holds a span already stored.
@Suite("PostgreSQL span store: COPY append", .enabled(if: TestDatabase.url != nil, TestDatabase.skipReason))
struct PostgresCopyAppendTests {
    /// Text that COPY's text format must escape or that PostgreSQL's `text` cannot hold.
    static let hostile = [
        "tab\there", "line\nfeed", "carriage\rreturn", "back\\slash", "\\.", "\\N", "\\x41", "nul\u{0}inside", "",
        "ünïcødé ✓ 🚚", "end\\", "\t\n\r\\",
    ]

    @Test("hostile text survives COPY: records (hex bytea), indexed columns and dirty marks as sent (NUL as U+FFFD)")
    func hostileValues() async throws {
        try await withPostgresStore { store in
            var spans: [SpanRecord] = []
            for (n, text) in Self.hostile.enumerated() {
                var span = Spans.make(trace: UInt64(n), span: UInt64(n), correlationID: "flow\(text)", startMs: UInt64(n), service: text)
                span.name = "name \(text)"
                span.attributes["payload"] = .string(text)
                span.attributes["values"] = .stringArray([text, "\(text)\(text)"])
                spans.append(span)
            }
            // A huge attribute: one row far larger than a COPY chunk.
            var huge = Spans.make(trace: 100, span: 100, correlationID: "flow-huge", startMs: 100)
            huge.attributes["huge"] = .string(String(repeating: "x\t\\\n", count: 300_000))
            spans.append(huge)
            try await store.append(spans)

            #expect(try await store.spanCount() == spans.count)
            for span in spans {
                #expect(try await store.spans(traceID: span.traceID) == [span], "trace \(span.traceID.hex)")
                let flow = try #require(span.string(MessagingKey.conversationID))
                #expect(try await store.spans(correlationID: flow) == [span], "flow \(flow.debugDescription)")
            }
            let rows = try await store.query(
                PostgresQuery(unsafeSQL: "SELECT correlation_id, service, name, kind, status, start_ns, end_ns FROM \(store.table("spans"))"))
            var stored: [String: (String, String, String, String, Int64, Int64)] = [:]
            for row in rows {
                let (id, service, name, kind, status, start, end) = try row.decode((String, String, String, String, String, Int64, Int64).self)
                stored[id] = (service, name, kind, status, start, end)
            }
            for span in spans {
                let id = PostgresText.clean(try #require(span.string(MessagingKey.conversationID)))
                let row = try #require(stored[id], "no row for \(id.debugDescription)")
                #expect(row.0 == PostgresText.clean(span.serviceName))
                #expect(row.1 == PostgresText.clean(span.name))
                #expect(row.2 == span.kind.rawValue && row.3 == span.statusCode.rawValue)
                #expect(row.4 == Int64(span.startTimeUnixNano) && row.5 == Int64(span.endTimeUnixNano))
            }
            #expect(stored.keys.contains("flownul\u{FFFD}inside"))
            let dirty = Set(try await store.dirtyFlows(limit: 100).map(\.correlationID))
            #expect(dirty == Set(spans.map { PostgresText.clean($0.string(MessagingKey.conversationID) ?? "") }))
        }
    }

    @Test("a batch holding a stored span stores only the new ones and marks only their flows; a batch past one chunk is whole")
    func storedSpanInBatch() async throws {
        try await withPostgresStore { store in
            let old = Spans.make(trace: 1, span: 1, correlationID: "old", startMs: 1)
            try await store.append([old])
            let marks = try await store.dirtyFlows(limit: 10)
            try await store.upsertSummaries([], clearing: marks)
            #expect(try await store.dirtyFlows(limit: 10).isEmpty)

            let new = Spans.make(trace: 1, span: 2, correlationID: "new", startMs: 2)
            try await store.append([new, old, new])
            #expect(try await store.spanCount() == 2)
            #expect(try await store.dirtyFlows(limit: 10).map(\.correlationID) == ["new"], "the re-sent span's flow stays clean")
            #expect(try await store.spans(correlationID: "old") == [old])
            #expect(try await store.spans(correlationID: "new") == [new])

            // Many spans: the COPY data goes in several chunks, every row arrives once.
            let many = (0..<3000).map { Spans.make(trace: 10 + UInt64($0 / 10), span: UInt64($0), correlationID: "many-\($0 % 97)", startMs: UInt64($0)) }
            var flows = Set<String>()
            #expect(CopyRows(many, flows: &flows).chunks.count > 1)
            try await store.append(many)
            #expect(try await store.spanCount() == 3002)
            #expect(try await store.spans(correlationID: "many-5") == many.filter { $0.string(MessagingKey.conversationID) == "many-5" })
        }
    }

    @Test("COPY rows: escapes, hex and decimals as PostgreSQL's text format reads them")
    func rowEncoding() {
        var buffer = ByteBuffer()
        CopyRows.text("a\tb\nc\rd\\e", into: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == #"a\tb\nc\rd\\e"#)
        CopyRows.hex([0x00, 0x0F, 0xA5, 0xFF], into: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == #"\\x000fa5ff"#)
        CopyRows.hex(of: 0x0123_4567_89AB_CDEF, into: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == #"\\x0123456789abcdef"#)
        for value: Int64 in [0, 7, 10, -1, 1_700_000_000_000_000_000, .max, .min] {
            CopyRows.decimal(value, into: &buffer)
            #expect(buffer.readString(length: buffer.readableBytes) == String(value))
        }
    }
}
