extension Milliseconds {
    /// A signed duration (e.g. a clock correction) in milliseconds.
    static func signedValue(_ nanos: Int64) -> Double { Double(nanos) / 1_000_000 }

    /// Nanoseconds of a finite number of milliseconds that fits in `Int64`; nil otherwise.
    static func signedNanos(_ ms: Double) -> Int64? {
        let nanos = (ms * 1_000_000).rounded()
        guard nanos.isFinite, nanos >= -9_223_372_036_854_775_808.0, nanos < 9_223_372_036_854_775_808.0 else { return nil }
        return Int64(nanos)
    }
}

extension KeyedDecodingContainer {
    /// A signed number of milliseconds as nanoseconds; 0 when the key is absent (JSON written
    /// before clock correction existed).
    func decodeSignedMilliseconds(_ key: Key) throws -> Int64 {
        guard let ms = try decodeIfPresent(Double.self, forKey: key) else { return 0 }
        guard let nanos = Milliseconds.signedNanos(ms) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "\(ms) ms is not a duration")
        }
        return nanos
    }
}

/// The JSON form of clock offsets (e.g. in the collector's judging):
/// `{"source": {"offset_ms", "reference", "lower_ms", "upper_ms", "hops", "uncertain"}}`.
extension ClockOffset: Codable {
    enum CodingKeys: String, CodingKey {
        case offset = "offset_ms"
        case reference
        case lower = "lower_ms"
        case upper = "upper_ms"
        case hops, uncertain
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func optional(_ key: CodingKeys) throws -> Int64? {
            try c.decodeIfPresent(Double.self, forKey: key) == nil ? nil : try c.decodeSignedMilliseconds(key)
        }
        self.init(
            nanos: try c.decodeSignedMilliseconds(.offset), reference: try c.decode(String.self, forKey: .reference),
            lowerNanos: try optional(.lower), upperNanos: try optional(.upper),
            hops: try c.decodeIfPresent(Int.self, forKey: .hops) ?? 0, uncertain: try c.decodeIfPresent(Bool.self, forKey: .uncertain) ?? false
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Milliseconds.signedValue(nanos), forKey: .offset)
        try c.encode(reference, forKey: .reference)
        try c.encode(lowerNanos.map(Milliseconds.signedValue), forKey: .lower)
        try c.encode(upperNanos.map(Milliseconds.signedValue), forKey: .upper)
        try c.encode(hops, forKey: .hops)
        try c.encode(uncertain, forKey: .uncertain)
    }
}

extension ClockOffsets: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(bySource: try decoder.singleValueContainer().decode([String: ClockOffset].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(bySource)
    }
}
