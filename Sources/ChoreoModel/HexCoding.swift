/// Hex and byte helpers shared by the id types.
@usableFromInline
enum HexCoding {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The value of one hex digit (either case), or nil.
    @inlinable
    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }

    /// Up to 16 hex digits as a big-endian integer, or nil on a non-hex character.
    @inlinable
    static func uint64(_ utf8: some Sequence<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for c in utf8 {
            guard let n = nibble(c) else { return nil }
            value = value << 4 | UInt64(n)
        }
        return value
    }

    static func bigEndian(_ bytes: some Sequence<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func bytes(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }

    static func hex(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            for i in 0..<16 {
                buffer[i] = digits[Int((value >> (60 - 4 * UInt64(i))) & 0xF)]
            }
            return 16
        }
    }
}
