/// Reads what ``ByteWriter`` wrote, from borrowed bytes; any overrun is a corrupt record.
struct ByteReader {
    private let buffer: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    var isAtEnd: Bool { offset == buffer.count }

    mutating func u8() throws -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return buffer[offset]
    }

    mutating func u64() throws -> UInt64 {
        try need(8)
        defer { offset += 8 }
        return UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    mutating func varint() throws -> Int {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try u8()
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
            guard shift < 64 else { throw Self.corrupt("varint too long") }
        }
        guard value <= UInt64(Int.max) else { throw Self.corrupt("length out of range") }
        return Int(value)
    }

    /// A count of elements that each take at least one byte, checked against what remains.
    mutating func count() throws -> Int {
        let n = try varint()
        guard n <= buffer.count - offset else { throw Self.corrupt("count \(n) exceeds the record") }
        return n
    }

    mutating func string() throws -> String {
        let n = try varint()
        try need(n)
        defer { offset += n }
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + n]), as: UTF8.self)
    }

    private func need(_ n: Int) throws {
        guard n <= buffer.count - offset else { throw Self.corrupt("truncated at byte \(offset)") }
    }

    static func corrupt(_ detail: String) -> StoreError {
        StoreError(.corruptRecord, "a stored span could not be decoded (\(detail)); the file may be damaged")
    }
}
