import ChoreoModel

/// A filter for searching traces: spans matching every given condition pick their traces.
public struct TraceQuery: Sendable, Hashable {
    /// A span of this service (`service.name`).
    public var service: String?
    /// A span whose name contains this text.
    public var name: String?
    /// A span carrying each of these attributes with exactly this value (as displayed).
    public var attributes: [String: String]
    /// Only traces with a span whose status is error.
    public var errorsOnly: Bool
    /// Spans starting at or after this time.
    public var since: UInt64?
    /// Spans starting at or before this time.
    public var until: UInt64?
    /// At most this many traces.
    public var limit: Int

    /// The most spans one search examines (newest first); what lies beyond is not searched.
    public static let scanLimit = 200_000

    /// Creates a query; no conditions match every trace.
    public init(
        service: String? = nil, name: String? = nil, attributes: [String: String] = [:], errorsOnly: Bool = false,
        since: UInt64? = nil, until: UInt64? = nil, limit: Int = 20
    ) {
        self.service = service
        self.name = name
        self.attributes = attributes
        self.errorsOnly = errorsOnly
        self.since = since
        self.until = until
        self.limit = limit
    }

    /// True when `span` meets every span condition.
    public func matches(_ span: SpanRecord) -> Bool {
        if let service, span.serviceName != service { return false }
        if let name, !span.name.contains(name) { return false }
        if errorsOnly, span.statusCode != .error { return false }
        if let since, span.startTimeUnixNano < since { return false }
        if let until, span.startTimeUnixNano > until { return false }
        for (key, value) in attributes where span.attributes[key]?.displayString != value { return false }
        return true
    }
}

/// One trace found by a search: `{"trace_id", "root_name", "service", "start_time", "duration_ms",
/// "span_count", "error_count", "correlation_ids"}`.
public struct TraceSummary: Sendable, Hashable, Codable {
    /// The trace.
    public var traceID: TraceID
    /// The name of the root span (the earliest span without a parent in the trace).
    public var rootName: String
    /// The root span's service.
    public var service: String
    /// The earliest span start.
    public var startTimeUnixNano: UInt64
    /// From the earliest start to the latest end.
    public var durationNanos: UInt64
    /// Spans stored for the trace.
    public var spanCount: Int
    /// Spans with status error.
    public var errorCount: Int
    /// Flows the trace's spans belong to.
    public var correlationIDs: [String]

    /// Summarises the spans of one trace; nil when there are none.
    public init?(traceID: TraceID, spans: [SpanRecord]) {
        guard let start = spans.map(\.startTimeUnixNano).min(), let end = spans.map(\.endTimeUnixNano).max() else { return nil }
        let ids = Set(spans.map(\.spanID))
        let roots = spans.filter { $0.parentSpanID.map { !ids.contains($0) } ?? true }
        let root = (roots.isEmpty ? spans : roots).min { ($0.startTimeUnixNano, $0.spanID) < ($1.startTimeUnixNano, $1.spanID) }!
        self.traceID = traceID
        rootName = root.name
        service = root.serviceName
        startTimeUnixNano = start
        durationNanos = end > start ? end - start : 0
        spanCount = spans.count
        errorCount = spans.filter { $0.statusCode == .error }.count
        correlationIDs = Set(spans.compactMap(\.correlationID)).sorted()
    }

    enum CodingKeys: String, CodingKey {
        case traceID = "trace_id"
        case rootName = "root_name"
        case service
        case startTime = "start_time"
        case durationMs = "duration_ms"
        case spanCount = "span_count"
        case errorCount = "error_count"
        case correlationIDs = "correlation_ids"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        traceID = try c.decode(TraceID.self, forKey: .traceID)
        rootName = try c.decode(String.self, forKey: .rootName)
        service = try c.decode(String.self, forKey: .service)
        startTimeUnixNano = try c.decodeRFC3339(.startTime)
        durationNanos = try Self.nanos(milliseconds: c.decode(Double.self, forKey: .durationMs), in: c)
        spanCount = try c.decode(Int.self, forKey: .spanCount)
        errorCount = try c.decode(Int.self, forKey: .errorCount)
        correlationIDs = try c.decodeIfPresent([String].self, forKey: .correlationIDs) ?? []
    }

    /// Milliseconds as whole nanoseconds (negative as zero); a value that is not finite or does
    /// not fit `UInt64` is a decoding error, not a trap.
    private static func nanos(milliseconds: Double, in c: KeyedDecodingContainer<CodingKeys>) throws -> UInt64 {
        let nanos = (milliseconds * 1_000_000).rounded()
        guard nanos.isFinite, nanos < 18_446_744_073_709_551_616.0 else {
            throw DecodingError.dataCorruptedError(forKey: .durationMs, in: c, debugDescription: "duration_ms \(milliseconds) is out of range")
        }
        return nanos <= 0 ? 0 : UInt64(nanos)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(traceID, forKey: .traceID)
        try c.encode(rootName, forKey: .rootName)
        try c.encode(service, forKey: .service)
        try c.encode(UnixTime.rfc3339(startTimeUnixNano), forKey: .startTime)
        try c.encode(Double(durationNanos) / 1_000_000, forKey: .durationMs)
        try c.encode(spanCount, forKey: .spanCount)
        try c.encode(errorCount, forKey: .errorCount)
        try c.encode(correlationIDs, forKey: .correlationIDs)
    }
}
