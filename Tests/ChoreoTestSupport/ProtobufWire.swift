extension Array where Element == UInt8 {
    /// These bytes as length-delimited field `field` (1–15) of an enclosing protobuf message:
    /// for building OTLP bodies by hand, amplified ones included.
    public func lengthDelimited(field: UInt8) -> [UInt8] {
        var out: [UInt8] = [field << 3 | 2]
        var length = UInt64(count)
        while length >= 0x80 {
            out.append(UInt8(length & 0x7F) | 0x80)
            length >>= 7
        }
        out.append(UInt8(length))
        return out + self
    }
}
