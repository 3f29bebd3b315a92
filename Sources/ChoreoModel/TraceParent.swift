/// The W3C `traceparent` header: version, trace id, parent (span) id and trace flags.
///
/// Parsing follows the Trace Context specification strictly: anything invalid yields `nil`,
/// which callers treat as "no parent" (start a new trace, drop `tracestate`).
public struct TraceParent: Hashable, Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    /// Trace flags; bit 0 is `sampled`.
    public var flags: UInt8

    public init(traceID: TraceID, spanID: SpanID, flags: UInt8 = 0x01) {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
    }

    /// True when the `sampled` flag is set.
    public var isSampled: Bool { flags & 0x01 != 0 }

    /// The header value in version `00` form: `00-<trace-id>-<parent-id>-<flags>`, lower case.
    public var headerValue: String {
        let f = HexCoding.hex(UInt64(flags))
        return "00-\(traceID.hex)-\(spanID.hex)-\(f.suffix(2))"
    }

    /// Parses a `traceparent` header value; `nil` when it is invalid by the specification.
    public init?(_ header: some StringProtocol) {
        let utf8 = Array(header.utf8)
        // version-format = trace-id "-" parent-id "-" trace-flags, 55 characters for version 00.
        guard utf8.count >= 55 else { return nil }
        guard utf8[2] == UInt8(ascii: "-"), utf8[35] == UInt8(ascii: "-"), utf8[52] == UInt8(ascii: "-") else { return nil }
        guard let version = Self.lowerHex(utf8[0..<2]) else { return nil }
        if version == 0xFF { return nil }
        if version == 0x00 {
            guard utf8.count == 55 else { return nil }
        } else if utf8.count > 55 {
            // A future version may append fields, each introduced by a dash.
            guard utf8[55] == UInt8(ascii: "-") else { return nil }
        }
        guard let high = Self.lowerHex(utf8[3..<19]), let low = Self.lowerHex(utf8[19..<35]),
              let span = Self.lowerHex(utf8[36..<52]), let flags = Self.lowerHex(utf8[53..<55])
        else { return nil }
        let traceID = TraceID(high: high, low: low)
        let spanID = SpanID(span)
        guard traceID.isValid, spanID.isValid else { return nil }
        self.init(traceID: traceID, spanID: spanID, flags: UInt8(flags))
    }

    /// Lower-case hex only, as the specification requires for every field.
    private static func lowerHex(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for c in bytes {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt64(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt64(c - UInt8(ascii: "a") + 10)
            default: return nil
            }
        }
        return value
    }
}

extension TraceParent: CustomStringConvertible {
    public var description: String { headerValue }
}
