/// The JSON form of a span in the query API (`choreo traces get --json`).
///
/// Keys are snake_case; ids are lower-case hex; times are Unix nanoseconds (`start_time_unix_nano`,
/// exact) plus RFC 3339 (`start_time`, for people).
extension SpanRecord: Codable {
    enum CodingKeys: String, CodingKey {
        case traceID = "trace_id"
        case spanID = "span_id"
        case parentSpanID = "parent_span_id"
        case traceState = "trace_state"
        case name, kind
        case service
        case startTimeUnixNano = "start_time_unix_nano"
        case endTimeUnixNano = "end_time_unix_nano"
        case startTime = "start_time"
        case endTime = "end_time"
        case durationMs = "duration_ms"
        case attributes, events, links
        case status
        case resource
        case scope
    }

    struct Status: Codable {
        var code: SpanStatusCode
        var message: String?
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let status = try c.decodeIfPresent(Status.self, forKey: .status) ?? Status(code: .unset, message: nil)
        self.init(
            traceID: try c.decode(TraceID.self, forKey: .traceID),
            spanID: try c.decode(SpanID.self, forKey: .spanID),
            parentSpanID: try c.decodeIfPresent(SpanID.self, forKey: .parentSpanID),
            traceState: try c.decodeIfPresent(String.self, forKey: .traceState),
            name: try c.decode(String.self, forKey: .name),
            kind: try c.decodeIfPresent(SpanKind.self, forKey: .kind) ?? .unspecified,
            startTimeUnixNano: try c.decode(UInt64.self, forKey: .startTimeUnixNano),
            endTimeUnixNano: try c.decode(UInt64.self, forKey: .endTimeUnixNano),
            attributes: try c.decodeIfPresent([String: AttributeValue].self, forKey: .attributes) ?? [:],
            events: try c.decodeIfPresent([SpanEvent].self, forKey: .events) ?? [],
            links: try c.decodeIfPresent([SpanLink].self, forKey: .links) ?? [],
            statusCode: status.code,
            statusMessage: status.message,
            serviceName: try c.decodeIfPresent(String.self, forKey: .service) ?? "unknown_service",
            resourceAttributes: try c.decodeIfPresent([String: AttributeValue].self, forKey: .resource) ?? [:],
            scopeName: try c.decodeIfPresent(String.self, forKey: .scope)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(traceID, forKey: .traceID)
        try c.encode(spanID, forKey: .spanID)
        try c.encode(parentSpanID, forKey: .parentSpanID)
        try c.encodeIfPresent(traceState, forKey: .traceState)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(serviceName, forKey: .service)
        try c.encode(startTimeUnixNano, forKey: .startTimeUnixNano)
        try c.encode(endTimeUnixNano, forKey: .endTimeUnixNano)
        try c.encode(UnixTime.rfc3339(startTimeUnixNano), forKey: .startTime)
        try c.encode(UnixTime.rfc3339(endTimeUnixNano), forKey: .endTime)
        let duration = endTimeUnixNano >= startTimeUnixNano ? endTimeUnixNano - startTimeUnixNano : 0
        try c.encode(Double(duration) / 1_000_000, forKey: .durationMs)
        try c.encode(attributes, forKey: .attributes)
        try c.encode(events, forKey: .events)
        try c.encode(links, forKey: .links)
        try c.encode(Status(code: statusCode, message: statusMessage), forKey: .status)
        try c.encode(resourceAttributes, forKey: .resource)
        try c.encodeIfPresent(scopeName, forKey: .scope)
    }
}
