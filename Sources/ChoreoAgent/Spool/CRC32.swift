import CZlib

/// CRC-32 (IEEE 802.3, the zlib/gzip polynomial) for the spool's record and cursor checksums:
/// zlib's `crc32`, so the spool's files are checked by the same code that checks gzip.
enum CRC32 {
    /// The checksum of `bytes`, continuing from `crc` (0 to start).
    static func checksum(_ bytes: some Collection<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        if let sum = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0), continuing: crc) }) {
            return sum
        }
        return Array(bytes).withUnsafeBytes { checksum($0, continuing: crc) }
    }

    /// The checksum of a raw buffer, continuing from `crc`.
    static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return crc }
        return UInt32(truncatingIfNeeded: crc32_z(uLong(crc), base, z_size_t(bytes.count)))
    }
}
