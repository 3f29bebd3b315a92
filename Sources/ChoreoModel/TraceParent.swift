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
    ///
    /// - Version `00` must be exactly 55 characters; version `ff` is invalid.
    /// - A higher (future) version must be at least 55 characters, and when longer the
    ///   flags must be followed by a dash. Only the `sampled` bit of its flags is kept, as
    ///   the specification says to parse nothing else of an unknown version.
    /// - Every field is lower-case hex; all-zero trace and parent ids are invalid.
    /// - No surrounding whitespace is tolerated (HTTP servers strip it before this point).
    public init?(_ header: some StringProtocol) {
        let contiguous = header.utf8.withContiguousStorageIfAvailable { Self.parse($0) }
        let parsed = contiguous ?? Array(header.utf8).withUnsafeBufferPointer { Self.parse($0) }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Parses a `traceparent` header value, as the generic initializer does: the same rules,
    /// without the generic string protocol's indirection (every delivery parses one).
    public init?(_ header: String) {
        var header = header
        guard let parsed = header.withUTF8({ Self.parse($0) }) else { return nil }
        self = parsed
    }

    private static func parse(_ utf8: UnsafeBufferPointer<UInt8>) -> TraceParent? {
        // version "-" trace-id "-" parent-id "-" trace-flags: 55 characters for version 00.
        guard utf8.count >= 55 else { return nil }
        let dash = UInt8(ascii: "-")
        guard utf8[2] == dash, utf8[35] == dash, utf8[52] == dash else { return nil }
        guard let version = lowerHex(utf8, 0..<2), version != 0xFF else { return nil }
        if version == 0x00 {
            guard utf8.count == 55 else { return nil }
        } else if utf8.count > 55 {
            // A future version may append fields, each introduced by a dash.
            guard utf8[55] == dash else { return nil }
        }
        guard let high = lowerHex(utf8, 3..<19), let low = lowerHex(utf8, 19..<35),
            let span = lowerHex(utf8, 36..<52), let flags = lowerHex(utf8, 53..<55)
        else { return nil }
        let traceID = TraceID(high: high, low: low)
        let spanID = SpanID(span)
        guard traceID.isValid, spanID.isValid else { return nil }
        let kept = version == 0x00 ? UInt8(flags) : UInt8(flags) & 0x01
        return TraceParent(traceID: traceID, spanID: spanID, flags: kept)
    }

    /// The lower-case hex digits at `range` (at most 16) as a number; nil if any is not one
    /// (lower-case hex only, as the specification requires for every field).
    ///
    /// Without a branch per digit: which digits are letters is random in ids, so a branch on it
    /// is mispredicted about every other time. A digit's value is its low four bits, plus 9 for a
    /// letter (`a` is 0x61: bit 6 set, low bits 1).
    private static func lowerHex(_ utf8: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64? {
        var value: UInt64 = 0
        var valid: UInt32 = 1
        for i in range {
            let c = UInt32(utf8[i])
            let isDigit: UInt32 = c &- 0x30 < 10 ? 1 : 0
            let isLetter: UInt32 = c &- 0x61 < 6 ? 1 : 0
            valid &= isDigit | isLetter
            value = value << 4 | UInt64((c & 0xF) &+ 9 &* (c >> 6))
        }
        return valid == 1 ? value : nil
    }
}

extension TraceParent: CustomStringConvertible {
    public var description: String { headerValue }
}
