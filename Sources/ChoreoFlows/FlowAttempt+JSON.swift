import ChoreoModel

extension FlowAttempt: Codable {
    enum CodingKeys: String, CodingKey {
        case attempt, outcome, error
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case durationMs = "duration_ms"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            attempt: try c.decode(Int.self, forKey: .attempt),
            startedAtUnixNano: try c.decodeRFC3339(.startedAt),
            endedAtUnixNano: try c.decodeRFC3339(.endedAt),
            outcome: try c.decode(DeliveryOutcome.self, forKey: .outcome),
            error: try c.decodeIfPresent(String.self, forKey: .error)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(attempt, forKey: .attempt)
        try c.encode(UnixTime.rfc3339(startedAtUnixNano), forKey: .startedAt)
        try c.encode(UnixTime.rfc3339(endedAtUnixNano), forKey: .endedAt)
        try c.encode(Milliseconds.value(endedAtUnixNano > startedAtUnixNano ? endedAtUnixNano - startedAtUnixNano : 0), forKey: .durationMs)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(error, forKey: .error)
    }
}

/// Durations in JSON: milliseconds as a number (fractions for sub-millisecond precision).
enum Milliseconds {
    static func value(_ nanos: UInt64) -> Double { Double(nanos) / 1_000_000 }
    static func nanos(_ ms: Double) -> UInt64 { ms <= 0 ? 0 : UInt64((ms * 1_000_000).rounded()) }
}
