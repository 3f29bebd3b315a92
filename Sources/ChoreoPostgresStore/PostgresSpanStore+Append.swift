import ChoreoModel
import ChoreoStore
import NIOCore
import PostgresNIO

extension PostgresSpanStore {
    /// Stores spans and marks their flows dirty in one statement (one transaction): the batch
    /// travels as ten bound arrays, unnested into one `INSERT … ON CONFLICT DO NOTHING`, and the
    /// correlation ids of the rows actually inserted are marked dirty with one new version.
    /// Durable on return (the server's `synchronous_commit`).
    ///
    /// A span is keyed by (trace id, span id, start time, correlation id): a re-sent span is
    /// ignored. Spans of no flow are stored with the correlation id `''`.
    public func append(_ spans: [SpanRecord]) async throws {
        guard !spans.isEmpty else { return }
        let batch = SpanColumns(spans)
        try await perform("storing \(spans.count) spans") { [self] in
            try await ensurePartitions(for: Set(batch.starts))
            do {
                try await insert(batch)
            } catch  where Self.sqlState(error) == "23514" {
                // No partition for a row: retention dropped one this process still knew. Look again.
                try await refreshPartitions()
                try await ensurePartitions(for: Set(batch.starts))
                try await insert(batch)
            }
        }
    }

    private func insert(_ batch: SpanColumns) async throws {
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
                INSERT INTO \(table("spans")) (correlation_id, trace_id, span_id, start_ns, end_ns, service, name, kind, status, record)
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
        try await retryingConflicts { try await query(PostgresQuery(unsafeSQL: sql, binds: binds)) }
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

/// A batch of spans as the column arrays the insert binds.
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
            correlationIDs.append(PostgresText.clean(span.string(MessagingKey.conversationID) ?? ""))
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
