/// The on-disk framing of one spooled request: a 16-byte header, then the payload.
///
/// ```
/// offset  size  field
///      0     4  magic "CSR1"
///      4     4  payload length, little endian
///      8     4  span count, little endian
///     12     4  CRC-32 of bytes 4..<12 followed by the payload
///     16     n  payload: a serialized OTLP ExportTraceServiceRequest (protobuf)
/// ```
///
/// Protobuf messages concatenate into one message whose repeated fields are appended, so the
/// forwarder builds a request from several records by concatenating their payloads. A record
/// whose header is incomplete, whose magic or length is wrong, or whose checksum does not
/// match is a torn or corrupt tail: the reader stops at it.
enum SpoolRecord {
    /// Bytes of the header.
    static let headerSize = 16
    /// "CSR1" read as a little-endian UInt32.
    static let magic: UInt32 = 0x3152_5343
    /// The largest payload accepted when reading (guards against a garbage length).
    static let maxPayload = 256 << 20

    /// A decoded header.
    struct Header: Equatable {
        var length: Int
        var spanCount: Int
        var checksum: UInt32
    }

    /// Header plus payload, ready to write.
    static func encode(_ payload: [UInt8], spanCount: Int) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(headerSize + payload.count)
        append(magic, to: &bytes)
        append(UInt32(payload.count), to: &bytes)
        append(UInt32(spanCount), to: &bytes)
        let crc = CRC32.checksum(payload, continuing: CRC32.checksum(bytes[4..<12]))
        append(crc, to: &bytes)
        bytes += payload
        return bytes
    }

    /// The header in `bytes` (exactly ``headerSize`` of them), or nil when the magic is wrong
    /// or the length is implausible.
    static func decodeHeader(_ bytes: some Collection<UInt8>) -> Header? {
        let b = Array(bytes)
        guard b.count == headerSize, read(b, 0) == magic else { return nil }
        let length = Int(read(b, 4))
        guard length <= maxPayload else { return nil }
        return Header(length: length, spanCount: Int(read(b, 8)), checksum: read(b, 12))
    }

    /// True when `payload` matches the header's checksum.
    static func verify(_ header: Header, payload: some Collection<UInt8>) -> Bool {
        var fields: [UInt8] = []
        append(UInt32(header.length), to: &fields)
        append(UInt32(header.spanCount), to: &fields)
        return CRC32.checksum(payload, continuing: CRC32.checksum(fields)) == header.checksum
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func read(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
