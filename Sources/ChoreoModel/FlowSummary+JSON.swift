/// The JSON contract of `choreo flows list --json` (one array element per flow).
///
/// Keys are snake_case and times RFC 3339; scripts depend on them, so fields may be added but
/// never renamed.
extension FlowSummary: Codable {
    enum CodingKeys: String, CodingKey {
        case correlationID = "correlation_id"
        case status, outcome
        case startedAt = "started_at"
        case lastActivityAt = "last_activity_at"
        case stepCount = "step_count"
        case compensationCount = "compensation_count"
        case errorCount = "error_count"
        case waitingFor = "waiting_for"
        case services, types
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            correlationID: try c.decode(String.self, forKey: .correlationID),
            status: try c.decode(FlowStatus.self, forKey: .status),
            outcome: try c.decodeIfPresent(String.self, forKey: .outcome),
            startedAtUnixNano: try c.decodeRFC3339(.startedAt),
            lastActivityAtUnixNano: try c.decodeRFC3339(.lastActivityAt),
            stepCount: try c.decode(Int.self, forKey: .stepCount),
            compensationCount: try c.decode(Int.self, forKey: .compensationCount),
            errorCount: try c.decode(Int.self, forKey: .errorCount),
            waitingFor: try c.decodeIfPresent(String.self, forKey: .waitingFor),
            services: try c.decodeIfPresent([String].self, forKey: .services) ?? [],
            types: try c.decodeIfPresent([String].self, forKey: .types) ?? []
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(correlationID, forKey: .correlationID)
        try c.encode(status, forKey: .status)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(UnixTime.rfc3339(startedAtUnixNano), forKey: .startedAt)
        try c.encode(UnixTime.rfc3339(lastActivityAtUnixNano), forKey: .lastActivityAt)
        try c.encode(stepCount, forKey: .stepCount)
        try c.encode(compensationCount, forKey: .compensationCount)
        try c.encode(errorCount, forKey: .errorCount)
        try c.encode(waitingFor, forKey: .waitingFor)
        try c.encode(services, forKey: .services)
        try c.encode(types, forKey: .types)
    }
}

extension KeyedDecodingContainer {
    /// Decodes an RFC 3339 timestamp into Unix nanoseconds, with a clear error when malformed.
    public func decodeRFC3339(_ key: Key) throws -> UInt64 {
        let text = try decode(String.self, forKey: key)
        guard let nanos = UnixTime.parseRFC3339(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not an RFC 3339 time: \(text)")
        }
        return nanos
    }

    /// Decodes an optional RFC 3339 timestamp into Unix nanoseconds.
    public func decodeRFC3339IfPresent(_ key: Key) throws -> UInt64? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let nanos = UnixTime.parseRFC3339(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not an RFC 3339 time: \(text)")
        }
        return nanos
    }
}
