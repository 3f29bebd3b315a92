import Foundation
import Testing
@testable import ChoreoAgent

/// Bytes of a spool written by an earlier agent (checksums computed outside Swift, with
/// Python's `zlib.crc32`): whatever computes our CRC-32 must keep reading them, or an upgrade
/// would throw away every spooled span as corrupt.
@Suite("Spool files written before stay readable")
struct SpoolFormatCompatibilityTests {
    /// "first record", 2 spans.
    static let first = hex("435352310c0000000200000021d076416669727374207265636f7264")
    /// "second, written before zlib", 5 spans.
    static let second = hex("435352311b00000005000000c29b172a7365636f6e642c207772697474656e206265666f7265207a6c6962")
    /// Segment 1, offset 28 (just after the first record).
    static let cursor = hex("01000000000000001c00000000000000a0fec769")

    @Test("CRC-32 gives the standard check value, in one go and continued")
    func checkValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("56789".utf8), continuing: CRC32.checksum(Array("1234".utf8))) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test("records encode to the bytes written before, and those bytes verify")
    func records() throws {
        #expect(SpoolRecord.encode(Array("first record".utf8), spanCount: 2) == Self.first)
        #expect(SpoolRecord.encode(Array("second, written before zlib".utf8), spanCount: 5) == Self.second)
        let header = try #require(SpoolRecord.decodeHeader(Self.second.prefix(SpoolRecord.headerSize)))
        #expect(SpoolRecord.verify(header, payload: Self.second.dropFirst(SpoolRecord.headerSize)))
    }

    @Test("a spool directory written before opens at its cursor and replays the unsent record")
    func directory() throws {
        let dir = try SpoolDirectory()
        try Data(Self.first + Self.second).write(to: URL(fileURLWithPath: dir.path + "/segment-0000000000000001.spool"))
        try Data(Self.cursor).write(to: URL(fileURLWithPath: dir.path + "/cursor"))
        let spool = try dir.open()
        #expect(spool.pendingSpans == 5)
        let batch = try #require(spool.nextBatch(maxSpans: 100))
        #expect(batch.payload == Array("second, written before zlib".utf8))
        #expect(spool.dropped.corrupt == 0)
    }

    private static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }
}
