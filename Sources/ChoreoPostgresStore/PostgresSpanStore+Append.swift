import ChoreoModel
import ChoreoStore
import NIOCore
import PostgresNIO

extension PostgresSpanStore {
    /// Stores spans and marks their flows dirty with one new version, in one transaction.
    /// Durable on return (the server's `synchronous_commit`).
    ///
    /// A span is keyed by (trace id, span id, start time, correlation id): a re-sent span is
    /// ignored. Spans of no flow are stored with the correlation id `''`.
    ///
    /// The batch is streamed with `COPY spans FROM STDIN` (text format), then the distinct
    /// correlation ids of the batch are marked dirty, in the same transaction. `COPY` cannot skip
    /// a row it already has, so a batch holding a span stored before (re-sent after a lost
    /// acknowledgement, or twice in the batch) makes it fail with a unique violation; the
    /// transaction is rolled back and the batch is stored again by one `INSERT … ON CONFLICT DO
    /// NOTHING` of bound arrays, which marks dirty only the flows of the rows it inserted. Either
    /// way a span is stored once and only new spans mark their flow.
    public func append(_ spans: [SpanRecord]) async throws {
        guard !spans.isEmpty else { return }
        let starts = Set(spans.lazy.map { Self.storedNanos($0.startTimeUnixNano) })
        try await perform("storing \(spans.count) spans") { [self] in
            try await ensurePartitions(for: starts)
            do {
                try await storeNew(spans)
            } catch  where Self.sqlState(error) == "23514" {
                // No partition for a row: retention dropped one this process still knew. Look again.
                try await refreshPartitions()
                try await ensurePartitions(for: starts)
                try await storeNew(spans)
            }
        }
    }

    /// The fast path (`COPY`), and the duplicate-skipping insert when the batch holds a span
    /// already stored.
    private func storeNew(_ spans: [SpanRecord]) async throws {
        do {
            try await retryingConflicts { try await copy(spans) }
        } catch  where Self.sqlState(error) == "23505" {
            try await retryingConflicts { try await insertIgnoringDuplicates(SpanColumns(spans)) }
        }
    }

    /// `COPY`s the spans into `spans` and marks their flows dirty, in one transaction.
    private func copy(_ spans: [SpanRecord]) async throws {
        var flows = Set<String>()
        let rows = CopyRows(spans, flows: &flows)
        let marks = Self.binds(flows.sorted())
        let mark = """
            WITH version AS (SELECT nextval('\(table("dirty_version"))') AS v)
            INSERT INTO \(table("dirty_flows")) (correlation_id, version, first_marked)
            SELECT m.c, version.v, version.v FROM unnest($1::text[]) AS m(c) CROSS JOIN version ORDER BY m.c
            ON CONFLICT (correlation_id) DO UPDATE SET version = excluded.version
            """
        try await transaction { [self] connection in
            // postgres-nio's copyFrom names the table as one quoted identifier, so the schema
            // comes from the search path, for this transaction only.
            try await run("SELECT set_config('search_path', \(configuration.schema), true)", on: connection)
            try await connection.copyFrom(table: "spans", columns: CopyRows.columns, logger: logger) { writer in
                for chunk in rows.chunks { try await writer.write(chunk) }
            }
            if !flows.isEmpty { try await run(PostgresQuery(unsafeSQL: mark, binds: marks), on: connection) }
        }
    }

    /// Stores the spans not stored yet and marks the flows of those dirty: one statement (one
    /// transaction). The batch travels as ten bound arrays, unnested into one `INSERT … ON
    /// CONFLICT DO NOTHING`; the correlation ids of the rows actually inserted are marked dirty
    /// with one new version.
    private func insertIgnoringDuplicates(_ batch: SpanColumns) async throws {
        var binds = PostgresBindings(capacity: 10)
        binds.append(batch.correlationIDs)
        binds.append(batch.traceIDs)
        binds.append(batch.spanIDs)
        binds.append(batch.starts)
        binds.append(batch.ends)
        binds.append(batch.services)
        binds.append(batch.names)
        binds.append(batch.kinds)
        binds.append(batch.statuses)
        binds.append(batch.records)
        let sql = """
            WITH inserted AS (
                INSERT INTO \(table("spans")) (\(CopyRows.columns.joined(separator: ", ")))
                SELECT * FROM unnest($1::text[], $2::bytea[], $3::bytea[], $4::int8[], $5::int8[], $6::text[], $7::text[],
                                     $8::text[], $9::text[], $10::bytea[])
                ON CONFLICT DO NOTHING
                RETURNING correlation_id),
            touched AS (SELECT DISTINCT correlation_id FROM inserted WHERE correlation_id <> ''),
            version AS (SELECT nextval('\(table("dirty_version"))') AS v WHERE EXISTS (SELECT 1 FROM touched))
            INSERT INTO \(table("dirty_flows")) (correlation_id, version, first_marked)
            SELECT t.correlation_id, version.v, version.v FROM touched t CROSS JOIN version ORDER BY t.correlation_id
            ON CONFLICT (correlation_id) DO UPDATE SET version = excluded.version
            """
        try await query(PostgresQuery(unsafeSQL: sql, binds: binds))
    }

    /// Runs `body` again (up to twice) when PostgreSQL aborted it for a deadlock or a
    /// serialization failure with a concurrent writer (another collector).
    @discardableResult
    func retryingConflicts<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch  where attempt < 3 && ["40P01", "40001"].contains(Self.sqlState(error) ?? "") {
                attempt += 1
            }
        }
    }
}

/// A batch of spans as the rows of `COPY … FROM STDIN` in PostgreSQL's text format: one line
/// per span, columns in ``columns`` order separated by tabs; text with its backslashes, tabs,
/// line feeds and carriage returns escaped (NUL, which `text` cannot hold, as U+FFFD, as
/// ``PostgresText`` stores it), `bytea` as `\x` and hex digits, integers in decimal.
struct CopyRows: Sendable {
    /// The columns of each row, in order.
    static let columns = ["correlation_id", "trace_id", "span_id", "start_ns", "end_ns", "service", "name", "kind", "status", "record"]

    /// The rows, cut into pieces of about ``chunkBytes`` (one `CopyData` message each).
    private(set) var chunks: [ByteBuffer] = []

    /// The size at which a chunk is closed and the next begun.
    static let chunkBytes = 256 * 1024

    /// Encodes `spans`, adding the correlation ids of flows (not `''`) to `flows`.
    init(_ spans: [SpanRecord], flows: inout Set<String>) {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(min(Self.chunkBytes + 4096, spans.count * 800))
        for span in spans {
            let correlationID = PostgresText.clean(span.flowCorrelationID ?? "")
            if !correlationID.isEmpty { flows.insert(correlationID) }
            Self.text(correlationID, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "\t"))
            Self.hex(of: span.traceID.high, span.traceID.low, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "\t"))
            Self.hex(of: span.spanID.value, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "\t"))
            Self.decimal(PostgresSpanStore.storedNanos(span.startTimeUnixNano), into: &buffer)
            buffer.writeInteger(UInt8(ascii: "\t"))
            Self.decimal(PostgresSpanStore.storedNanos(span.endTimeUnixNano), into: &buffer)
            buffer.writeInteger(UInt8(ascii: "\t"))
            Self.text(PostgresText.clean(span.serviceName), into: &buffer)
            buffer.writeInteger(UInt8(ascii: "\t"))
            Self.text(PostgresText.clean(span.name), into: &buffer)
            buffer.writeInteger(UInt8(ascii: "\t"))
            Self.text(span.kind.rawValue, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "\t"))
            Self.text(span.statusCode.rawValue, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "\t"))
            Self.hex(span.binaryEncoded, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "\n"))
            if buffer.readableBytes >= Self.chunkBytes {
                chunks.append(buffer)
                buffer = ByteBuffer()
                buffer.reserveCapacity(Self.chunkBytes + 4096)
            }
        }
        if buffer.readableBytes > 0 { chunks.append(buffer) }
    }

    /// Text with COPY's escapes: `\` → `\\`, tab → `\t`, line feed → `\n`, carriage return → `\r`.
    static func text(_ text: String, into buffer: inout ByteBuffer) {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
            buffer.writeString(text)
            return
        }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x09: buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default: buffer.writeInteger(byte)
            }
        }
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// `bytea` as COPY reads it: `\\x` (the escaped backslash of `\x`), then two hex digits a byte.
    static func hex(_ bytes: [UInt8], into buffer: inout ByteBuffer) {
        buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
        let count = bytes.count * 2
        guard count > 0 else { return }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { out in
            digits.withUnsafeBufferPointer { digits in
                var index = 0
                for byte in bytes {
                    out[index] = digits[Int(byte >> 4)]
                    out[index + 1] = digits[Int(byte & 0x0F)]
                    index += 2
                }
            }
            return count
        }
    }

    /// The big-endian bytes of `values` as `bytea` (ids: the bytes of ``TraceID/bytes`` and ``SpanID/bytes``).
    static func hex(of values: UInt64..., into buffer: inout ByteBuffer) {
        buffer.writeBytes([UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
        let count = values.count * 16
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { out in
            digits.withUnsafeBufferPointer { digits in
                var index = 0
                for value in values {
                    for shift in stride(from: 60, through: 0, by: -4) {
                        out[index] = digits[Int((value >> UInt64(shift)) & 0x0F)]
                        index += 1
                    }
                }
            }
            return count
        }
    }

    /// An integer in decimal.
    static func decimal(_ value: Int64, into buffer: inout ByteBuffer) {
        if value < 0 { buffer.writeInteger(UInt8(ascii: "-")) }
        let count = DecimalText.digitCount(value.magnitude)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { out in
            DecimalText.write(value.magnitude, into: out)
            return count
        }
    }
}

/// A batch of spans as the column arrays the duplicate-skipping insert binds.
struct SpanColumns: Sendable {
    var correlationIDs: [String] = []
    var traceIDs: [ByteBuffer] = []
    var spanIDs: [ByteBuffer] = []
    var starts: [Int64] = []
    var ends: [Int64] = []
    var services: [String] = []
    var names: [String] = []
    var kinds: [String] = []
    var statuses: [String] = []
    var records: [ByteBuffer] = []

    init(_ spans: [SpanRecord]) {
        for span in spans {
            correlationIDs.append(PostgresText.clean(span.flowCorrelationID ?? ""))
            traceIDs.append(ByteBuffer(bytes: span.traceID.bytes))
            spanIDs.append(ByteBuffer(bytes: span.spanID.bytes))
            starts.append(PostgresSpanStore.storedNanos(span.startTimeUnixNano))
            ends.append(PostgresSpanStore.storedNanos(span.endTimeUnixNano))
            services.append(PostgresText.clean(span.serviceName))
            names.append(PostgresText.clean(span.name))
            kinds.append(span.kind.rawValue)
            statuses.append(span.statusCode.rawValue)
            records.append(ByteBuffer(bytes: span.binaryEncoded))
        }
    }
}

/// Text as PostgreSQL stores it: a `text` value cannot hold the NUL character, so it becomes
/// U+FFFD in the indexed columns (the span's record keeps every byte as sent).
enum PostgresText {
    static func clean(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }

    static func clean(_ texts: [String]) -> [String] { texts.map { clean($0) } }
}
