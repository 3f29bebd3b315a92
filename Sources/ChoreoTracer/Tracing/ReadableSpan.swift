import ChoreoModel

/// A span that has ended, as span processors and exporters see it: read-only from now on.
///
/// OpenTelemetry's SDKs hand their processors and exporters the finished span itself (the
/// specification's *ReadableSpan*) and convert it to a wire or model form only where one is
/// needed. ``ChoreoSpan`` does the same: it is immutable once ended, so it is queued as it is,
/// and ``record`` builds the model's `SpanRecord` when an exporter asks (the OTLP exporter when
/// it encodes a batch). A `SpanRecord` is a `ReadableSpan` too, for processors that rewrite
/// spans and for tests.
public protocol ReadableSpan: Sendable {
    /// The span's trace id.
    var traceID: TraceID { get }
    /// The span's id.
    var spanID: SpanID { get }
    /// The span's final status.
    var statusCode: SpanStatusCode { get }
    /// A string attribute of the span (as the record would hold it), or `nil`.
    func stringAttribute(_ key: String) -> String?
    /// The span as the model's record. For a ``ChoreoSpan`` every call converts it again: read it
    /// once per export.
    var record: SpanRecord { get }
}

extension SpanRecord: ReadableSpan {
    public func stringAttribute(_ key: String) -> String? { string(key) }
    public var record: SpanRecord { self }
}

extension Array where Element == any ReadableSpan {
    /// The spans as the model's records, converted once each.
    public var records: [SpanRecord] { map(\.record) }
}
