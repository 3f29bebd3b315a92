import ChoreoModel

extension FlowAttempt: Codable {
    enum CodingKeys: String, CodingKey {
        case attempt, outcome, error
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case durationMs = "duration_ms"
    }

    /// Times on the wire have millisecond precision and `duration_ms` keeps the exact length,
    /// so the times are rebuilt as the latest pair within their milliseconds that is exactly
    /// that long apart: a decoded attempt encodes to the same JSON.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var started = try c.decodeRFC3339(.startedAt)
        var ended = try c.decodeRFC3339(.endedAt)
        if let ms = try c.decodeIfPresent(Double.self, forKey: .durationMs) {
            guard let nanos = Milliseconds.checkedNanos(ms) else {
                throw DecodingError.dataCorruptedError(forKey: .durationMs, in: c, debugDescription: "duration_ms \(ms) is not a duration")
            }
            let (earliestEnd, overflow) = started.addingReportingOverflow(nanos)
            if !overflow {
                ended = max(ended, earliestEnd)
                started = ended - nanos
            }
        }
        self.init(
            attempt: try c.decode(Int.self, forKey: .attempt),
            startedAtUnixNano: started,
            endedAtUnixNano: ended,
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
    static func nanos(_ ms: Double) -> UInt64 { checkedNanos(max(0, ms)) ?? UInt64.max }
    /// Nanoseconds of a non-negative, finite number of milliseconds that fits in `UInt64`; nil otherwise.
    static func checkedNanos(_ ms: Double) -> UInt64? {
        let nanos = (ms * 1_000_000).rounded()
        guard nanos.isFinite, nanos >= 0, nanos < 18_446_744_073_709_551_616.0 else { return nil }
        return UInt64(nanos)
    }
}
