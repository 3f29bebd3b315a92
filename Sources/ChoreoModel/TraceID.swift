/// A 16-byte W3C trace id. The all-zero value is invalid on the wire.
public struct TraceID: Hashable, Sendable, Comparable {
    /// The high 8 bytes, big-endian.
    public var high: UInt64
    /// The low 8 bytes, big-endian.
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses 32 lower- or upper-case hex digits. Use ``TraceParent`` for strict W3C rules.
    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == 32,
            let high = HexCoding.uint64(hex.utf8.prefix(16)),
            let low = HexCoding.uint64(hex.utf8.dropFirst(16))
        else { return nil }
        self.init(high: high, low: low)
    }

    /// Reads 16 big-endian bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        self.init(high: HexCoding.bigEndian(bytes.prefix(8)), low: HexCoding.bigEndian(bytes.dropFirst(8)))
    }

    /// True unless every byte is zero.
    public var isValid: Bool { high != 0 || low != 0 }

    /// 32 lower-case hex digits.
    public var hex: String { HexCoding.hex(high) + HexCoding.hex(low) }

    /// The 16 big-endian bytes.
    public var bytes: [UInt8] { HexCoding.bytes(high) + HexCoding.bytes(low) }

    public static func < (lhs: TraceID, rhs: TraceID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

extension TraceID: CustomStringConvertible {
    public var description: String { hex }
}

extension TraceID: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = TraceID(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a 32-digit hex trace id: \(text)")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
