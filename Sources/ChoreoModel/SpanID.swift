/// An 8-byte W3C span id (parent id). The all-zero value is invalid on the wire.
public struct SpanID: Hashable, Sendable, Comparable {
    /// The 8 bytes, big-endian.
    public var value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    /// Parses 16 lower- or upper-case hex digits. Use ``TraceParent`` for strict W3C rules.
    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == 16, let value = HexCoding.uint64(hex.utf8) else { return nil }
        self.init(value)
    }

    /// Reads 8 big-endian bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 8 else { return nil }
        self.init(HexCoding.bigEndian(bytes))
    }

    /// True unless every byte is zero.
    public var isValid: Bool { value != 0 }

    /// 16 lower-case hex digits.
    public var hex: String { HexCoding.hex(value) }

    /// The 8 big-endian bytes.
    public var bytes: [UInt8] { HexCoding.bytes(value) }

    public static func < (lhs: SpanID, rhs: SpanID) -> Bool { lhs.value < rhs.value }
}

extension SpanID: CustomStringConvertible {
    public var description: String { hex }
}

extension SpanID: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = SpanID(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a 16-digit hex span id: \(text)")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
