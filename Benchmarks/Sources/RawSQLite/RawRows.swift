/// Rows of the `spans` table, packed in one buffer as the store packs them, ready to bind.
///
/// Built outside the timed region: the raw baseline measures binding, stepping and
/// committing only, not producing the values (the store's figure includes that).
public struct RawRows: Sendable {
    struct Row: Sendable {
        var traceID: Range<Int>
        var spanID: Range<Int>
        var correlationID: String?
        var correlation: Range<Int>?
        var service: Range<Int>
        var name: Range<Int>
        var kind: Range<Int>
        var status: Range<Int>
        var record: Range<Int>
        var start: Int64
        var end: Int64
    }

    var rows: [Row] = []
    var bytes: [UInt8] = []

    /// The number of rows.
    public var count: Int { rows.count }

    /// Total bytes of the packed values.
    public var byteCount: Int { bytes.count }

    /// Total bytes of the `record` column (the encoded spans).
    public var recordByteCount: Int { rows.reduce(0) { $0 + $1.record.count } }

    /// Splits the rows into consecutive batches of at most `size` rows.
    public func batches(of size: Int) -> [RawRows] {
        stride(from: 0, to: rows.count, by: size).map { start in
            var batch = RawRows()
            for row in rows[start..<min(start + size, rows.count)] {
                batch.append(
                    traceID: bytes[row.traceID], spanID: bytes[row.spanID], correlationID: row.correlationID,
                    service: bytes[row.service], name: bytes[row.name], kind: bytes[row.kind],
                    status: bytes[row.status], record: bytes[row.record], start: row.start, end: row.end
                )
            }
            return batch
        }
    }

    mutating func append(
        traceID: some Collection<UInt8>, spanID: some Collection<UInt8>, correlationID: String?,
        service: some Collection<UInt8>, name: some Collection<UInt8>, kind: some Collection<UInt8>,
        status: some Collection<UInt8>, record: some Collection<UInt8>, start: Int64, end: Int64
    ) {
        func put(_ value: some Collection<UInt8>) -> Range<Int> {
            let from = bytes.count
            bytes.append(contentsOf: value)
            return from..<bytes.count
        }
        rows.append(Row(
            traceID: put(traceID), spanID: put(spanID), correlationID: correlationID,
            correlation: correlationID.map { put(Array($0.utf8)) },
            service: put(service), name: put(name), kind: put(kind), status: put(status),
            record: put(record), start: start, end: end
        ))
    }
}
