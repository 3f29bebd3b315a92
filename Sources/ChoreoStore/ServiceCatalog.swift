import ChoreoModel

/// One operation of a service: a span name with the kind of span it was recorded as.
public struct ServiceOperation: Sendable, Hashable, Comparable {
    /// The span name.
    public var name: String
    /// The span kind it was recorded with (the same name may appear with several kinds).
    public var kind: SpanKind

    /// Creates an operation.
    public init(name: String, kind: SpanKind) {
        self.name = name
        self.kind = kind
    }

    /// By name, then kind.
    public static func < (a: ServiceOperation, b: ServiceOperation) -> Bool {
        (a.name, a.kind.rawValue) < (b.name, b.kind.rawValue)
    }
}

/// A span search as Jaeger's query API asks it: traces holding one span that meets every
/// condition at once.
public struct SpanSearch: Sendable, Hashable {
    /// The span's service (`service.name`).
    public var service: String
    /// The span's exact name.
    public var operation: String?
    /// Tags the span carries with exactly these values (``SpanTags``).
    public var tags: [String: String]
    /// The span lasted at least this long (nanoseconds).
    public var minDurationNanos: UInt64?
    /// The span lasted at most this long (nanoseconds).
    public var maxDurationNanos: UInt64?
    /// The span started at or after this time (Unix nanoseconds).
    public var since: UInt64?
    /// The span started at or before this time (Unix nanoseconds).
    public var until: UInt64?
    /// At most this many traces.
    public var limit: Int

    /// Creates a search for spans of `service`.
    public init(
        service: String, operation: String? = nil, tags: [String: String] = [:], minDurationNanos: UInt64? = nil,
        maxDurationNanos: UInt64? = nil, since: UInt64? = nil, until: UInt64? = nil, limit: Int = 20
    ) {
        self.service = service
        self.operation = operation
        self.tags = tags
        self.minDurationNanos = minDurationNanos
        self.maxDurationNanos = maxDurationNanos
        self.since = since
        self.until = until
        self.limit = limit
    }

    /// True when `span` meets every condition.
    public func matches(_ span: SpanRecord) -> Bool {
        guard span.serviceName == service else { return false }
        if let operation, span.name != operation { return false }
        let duration = span.endTimeUnixNano > span.startTimeUnixNano ? span.endTimeUnixNano - span.startTimeUnixNano : 0
        if let minDurationNanos, duration < minDurationNanos { return false }
        if let maxDurationNanos, duration > maxDurationNanos { return false }
        if let since, span.startTimeUnixNano < since { return false }
        if let until, span.startTimeUnixNano > until { return false }
        return tags.allSatisfy { SpanTags.value(of: $0.key, in: span) == $0.value }
    }
}

/// The tags a span shows in Jaeger's view of it, as text: its attributes, its resource's
/// attributes, and the tags the OpenTelemetry-to-Jaeger translation adds (`span.kind`,
/// `error`, `otel.status_code`, `otel.status_description`).
public enum SpanTags {
    /// The value of tag `key` on `span` as text (attributes as ``AttributeValue/displayString``);
    /// nil when the span has no such tag.
    public static func value(of key: String, in span: SpanRecord) -> String? {
        if let value = span.attributes[key] ?? span.resourceAttributes[key] { return value.displayString }
        switch key {
        case "span.kind": return kind(span.kind)
        case "error": return span.statusCode == .error ? "true" : nil
        case "otel.status_code": return statusCode(span.statusCode)
        case "otel.status_description": return span.statusCode == .error ? span.statusMessage : nil
        default: return nil
        }
    }

    /// `span.kind`'s value: the kind in lowercase, nil for an unspecified kind.
    public static func kind(_ kind: SpanKind) -> String? { kind == .unspecified ? nil : kind.rawValue }

    /// `otel.status_code`'s value: `OK` or `ERROR`, nil when unset.
    public static func statusCode(_ code: SpanStatusCode) -> String? {
        switch code {
        case .unset: return nil
        case .ok: return "OK"
        case .error: return "ERROR"
        }
    }
}

/// The services and operations a store holds, and span search by service, operation, tags,
/// duration and time: what Jaeger's query API (and Grafana's Jaeger data source) asks.
///
/// Every answer is an index lookup on the span table, so it stays cheap on a large store; it
/// reflects the spans stored now (retention removes what it deletes). Reads never write.
public protocol ServiceCatalog: Sendable {
    /// The distinct services of the stored spans, sorted.
    func serviceNames() async throws -> [String]

    /// The distinct (span name, kind) pairs of `service`'s spans, sorted by name then kind;
    /// only those of `kind` when it is given.
    func operations(service: String, kind: SpanKind?) async throws -> [ServiceOperation]

    /// The traces holding a span that matches `search`, newest matching span first, at most
    /// `search.limit`; at most ``TraceQuery/scanLimit`` candidate spans are examined.
    func traceIDs(_ search: SpanSearch) async throws -> [TraceID]
}
