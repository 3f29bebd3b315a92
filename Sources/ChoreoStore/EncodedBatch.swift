import ChoreoModel

/// Spans encoded into one buffer, ready for the writer queue: every value the insert binds.
///
/// Encoding happens in the caller's task, so concurrent appends encode in parallel, and the
/// single writer binds slices of the buffer without copying (`SQLITE_STATIC`): no allocation
/// per bound value.
struct EncodedBatch: Sendable {
    /// Where one span's column values lie in ``bytes``.
    struct Row: Sendable {
        /// Offset of 24 bytes: the trace id (16, big-endian), then the span id (8, big-endian).
        var ids: Int
        var record: Range<Int>
        var correlationID: String?
        var correlation: Range<Int>?
        var service: Range<Int>
        var name: Range<Int>
        var kind: Range<Int>
        var status: Range<Int>
        var start: UInt64
        var end: UInt64
    }

    let rows: [Row]
    let bytes: [UInt8]

    init(_ spans: [SpanRecord]) {
        var writer = ByteWriter(capacity: spans.count * 400)
        var rows: [Row] = []
        rows.reserveCapacity(spans.count)
        for span in spans {
            let ids = writer.count
            writer.bigEndian(span.traceID.high)
            writer.bigEndian(span.traceID.low)
            writer.bigEndian(span.spanID.value)
            let recordStart = writer.count
            span.encode(into: &writer)
            let record = recordStart..<writer.count
            let correlationID = span.correlationID
            rows.append(
                Row(
                    ids: ids, record: record, correlationID: correlationID,
                    correlation: correlationID.map { writer.raw($0) },
                    service: writer.raw(span.serviceName), name: writer.raw(span.name),
                    kind: writer.raw(span.kind.rawValue), status: writer.raw(span.statusCode.rawValue),
                    start: span.startTimeUnixNano, end: span.endTimeUnixNano
                ))
        }
        self.rows = rows
        self.bytes = writer.bytes
    }
}

extension SpanRecord {
    /// The flow this span belongs to (``MessagingConventions/correlationID(of:)``: a conversation
    /// id in any generation's key, else a messaging span's trace), if any.
    var correlationID: String? { flowCorrelationID }
}
