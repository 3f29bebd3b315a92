import Testing
@testable import ChoreoAgent

@Suite("Spool record format")
struct SpoolRecordTests {
    @Test("a record round-trips: header fields, payload and checksum", arguments: [0, 1, 17, 4096])
    func roundTrip(size: Int) throws {
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let record = SpoolRecord.encode(payload, spanCount: 42)
        #expect(record.count == SpoolRecord.headerSize + size)
        let header = try #require(SpoolRecord.decodeHeader(record.prefix(SpoolRecord.headerSize)))
        #expect(header.length == size)
        #expect(header.spanCount == 42)
        #expect(SpoolRecord.verify(header, payload: record.dropFirst(SpoolRecord.headerSize)))
    }

    @Test("a flipped payload bit or a changed span count fails the checksum")
    func checksumCatchesDamage() throws {
        var record = SpoolRecord.encode(Array("hello, spool".utf8), spanCount: 3)
        let header = try #require(SpoolRecord.decodeHeader(record.prefix(SpoolRecord.headerSize)))
        record[SpoolRecord.headerSize + 4] ^= 0x10
        #expect(!SpoolRecord.verify(header, payload: record.dropFirst(SpoolRecord.headerSize)))
        var other = header
        other.spanCount = 4
        record[SpoolRecord.headerSize + 4] ^= 0x10
        #expect(!SpoolRecord.verify(other, payload: record.dropFirst(SpoolRecord.headerSize)))
        #expect(SpoolRecord.verify(header, payload: record.dropFirst(SpoolRecord.headerSize)))
    }

    @Test("a header with a wrong magic or an absurd length is refused")
    func badHeaders() {
        var record = SpoolRecord.encode([1, 2, 3], spanCount: 1)
        record[0] = UInt8(ascii: "X")
        #expect(SpoolRecord.decodeHeader(record.prefix(SpoolRecord.headerSize)) == nil)
        var huge = SpoolRecord.encode([1, 2, 3], spanCount: 1)
        huge[7] = 0xFF
        #expect(SpoolRecord.decodeHeader(huge.prefix(SpoolRecord.headerSize)) == nil)
        #expect(SpoolRecord.decodeHeader(record.prefix(5)) == nil)
    }

    @Test(
        "byte sizes parse with binary and decimal suffixes",
        arguments: [
            ("1024", 1024), ("512MiB", 512 << 20), ("1GiB", 1 << 30), ("64M", 64 << 20), ("2gib", 2 << 30), ("10KB", 10_000), ("3 KiB", 3072),
        ])
    func byteSizes(text: String, bytes: Int) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test("invalid byte sizes are refused", arguments: ["", "MiB", "12XB", "-5", "1.5GiB"])
    func invalidByteSizes(text: String) {
        #expect(ByteSize.parse(text) == nil)
    }
}
