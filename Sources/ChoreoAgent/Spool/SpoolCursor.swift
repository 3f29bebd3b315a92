#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A place in the spool: a segment and a byte offset in it (always at a record boundary).
public struct SpoolPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The segment's id (its file is `segment-<id, 16 digits>.spool`).
    public var segment: UInt64
    /// The byte offset in the segment.
    public var offset: Int

    /// A position.
    public init(segment: UInt64, offset: Int) {
        self.segment = segment
        self.offset = offset
    }

    public static func < (lhs: SpoolPosition, rhs: SpoolPosition) -> Bool {
        (lhs.segment, lhs.offset) < (rhs.segment, rhs.offset)
    }

    public var description: String { "\(segment):\(offset)" }
}

/// The persisted read cursor: the position up to which the next hop has accepted everything.
///
/// Stored as 20 bytes (segment, offset, CRC-32) in `cursor`, replaced atomically by writing
/// `cursor.tmp` and renaming it. It is not fsynced: losing it only replays batches already
/// sent, which the collector ignores as duplicates.
enum SpoolCursor {
    static func path(_ directory: String) -> String { directory + "/cursor" }

    /// The stored cursor, or nil when there is none or it is damaged.
    static func load(_ directory: String) -> SpoolPosition? {
        let path = path(directory)
        guard let fd = try? SegmentFile.openFile(path, flags: O_RDONLY) else { return nil }
        defer { close(fd) }
        guard let bytes = try? SegmentFile.readAt(fd, count: 20, at: 0, path: path), bytes.count == 20 else { return nil }
        guard CRC32.checksum(bytes[0..<16]) == read32(bytes, 16) else { return nil }
        let segment = UInt64(read32(bytes, 0)) | UInt64(read32(bytes, 4)) << 32
        let offset = UInt64(read32(bytes, 8)) | UInt64(read32(bytes, 12)) << 32
        return SpoolPosition(segment: segment, offset: Int(offset))
    }

    /// Replaces the stored cursor.
    static func store(_ position: SpoolPosition, in directory: String) throws(SpoolError) {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: position.segment.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(position.offset).littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: CRC32.checksum(bytes).littleEndian) { bytes.append(contentsOf: $0) }
        let temporary = path(directory) + ".tmp"
        let fd = try SegmentFile.openFile(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        defer { close(fd) }
        try SegmentFile.writeAll(fd, bytes, path: temporary)
        guard rename(temporary, path(directory)) == 0 else { throw .io("rename", temporary, errno: errno) }
    }

    private static func read32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
