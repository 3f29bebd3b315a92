/// The kind of a span, as in OTLP.
public enum SpanKind: String, Codable, Hashable, Sendable, CaseIterable {
    case unspecified, `internal`, server, client, producer, consumer
}

/// The status of a finished span, as in OTLP.
public enum SpanStatusCode: String, Codable, Hashable, Sendable {
    case unset, ok, error
}

/// A link from a span to another span's context (e.g. a consumer to its producer).
public struct SpanLink: Hashable, Sendable, Codable {
    enum CodingKeys: String, CodingKey {
        case traceID = "trace_id"
        case spanID = "span_id"
        case attributes
    }

    public var traceID: TraceID
    public var spanID: SpanID
    public var attributes: [String: AttributeValue]

    public init(traceID: TraceID, spanID: SpanID, attributes: [String: AttributeValue] = [:]) {
        self.traceID = traceID
        self.spanID = spanID
        self.attributes = attributes
    }
}

/// A timestamped event recorded on a span (e.g. an exception).
public struct SpanEvent: Hashable, Sendable, Codable {
    enum CodingKeys: String, CodingKey {
        case name
        case timeUnixNano = "time_unix_nano"
        case attributes
    }

    public var name: String
    public var timeUnixNano: UInt64
    public var attributes: [String: AttributeValue]

    public init(name: String, timeUnixNano: UInt64, attributes: [String: AttributeValue] = [:]) {
        self.name = name
        self.timeUnixNano = timeUnixNano
        self.attributes = attributes
    }
}

/// One finished span, independent of any wire format or store.
///
/// This is the record the tracer exports, the collector stores and the flows library reads.
/// `serviceName` is lifted from the resource (`service.name`) so that spans from many
/// resources can be handled alike.
public struct SpanRecord: Hashable, Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var parentSpanID: SpanID?
    public var traceState: String?
    public var name: String
    public var kind: SpanKind
    public var startTimeUnixNano: UInt64
    public var endTimeUnixNano: UInt64
    public var attributes: [String: AttributeValue]
    public var events: [SpanEvent]
    public var links: [SpanLink]
    public var statusCode: SpanStatusCode
    public var statusMessage: String?
    /// `service.name` of the resource that produced the span.
    public var serviceName: String
    /// The other resource attributes (without `service.name`).
    public var resourceAttributes: [String: AttributeValue]
    /// The instrumentation scope name, if any.
    public var scopeName: String?

    public init(
        traceID: TraceID,
        spanID: SpanID,
        parentSpanID: SpanID? = nil,
        traceState: String? = nil,
        name: String,
        kind: SpanKind = .internal,
        startTimeUnixNano: UInt64,
        endTimeUnixNano: UInt64,
        attributes: [String: AttributeValue] = [:],
        events: [SpanEvent] = [],
        links: [SpanLink] = [],
        statusCode: SpanStatusCode = .unset,
        statusMessage: String? = nil,
        serviceName: String = "unknown_service",
        resourceAttributes: [String: AttributeValue] = [:],
        scopeName: String? = nil
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.traceState = traceState
        self.name = name
        self.kind = kind
        self.startTimeUnixNano = startTimeUnixNano
        self.endTimeUnixNano = endTimeUnixNano
        self.attributes = attributes
        self.events = events
        self.links = links
        self.statusCode = statusCode
        self.statusMessage = statusMessage
        self.serviceName = serviceName
        self.resourceAttributes = resourceAttributes
        self.scopeName = scopeName
    }

    /// A string attribute by key.
    public func string(_ key: String) -> String? { attributes[key]?.stringValue }

    /// An integer attribute by key.
    public func int(_ key: String) -> Int64? { attributes[key]?.intValue }
}
