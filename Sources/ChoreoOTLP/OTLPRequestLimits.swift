/// What one `ExportTraceServiceRequest` may hold, checked on the wire bytes before anything is
/// decoded, so the memory a request can cost is bounded whatever its content.
///
/// Decoding materialises every element of a request: a span, an attribute, an event, a link,
/// each value of an array or key-value list. An element costs a few hundred bytes once decoded,
/// however few bytes it took on the wire (an empty span is 2 bytes of protobuf), so a small body
/// can expand a thousandfold. ``OTLPRequestScan`` counts spans and elements first and refuses
/// the request (``OTLPDecodingError/Code/tooManySpans`` or ``OTLPDecodingError/Code/tooLarge``)
/// before any of them exists in memory.
///
/// The byte and element caps follow from the span and attribute limits (``derived(maxSpans:maxAttributeBytes:)``),
/// so raising `--max-spans-per-request` or `--max-attribute-length` raises them with it.
public struct OTLPRequestLimits: Sendable, Hashable {
    /// Spans in one request, at most.
    public var maxSpans: Int
    /// Elements (spans, attributes, events, links, array and key-value list values, resources,
    /// scopes) in one request, at most, at any depth.
    public var maxElements: Int
    /// Bytes of the body after decompression, at most.
    public var maxDecodedBytes: Int

    /// Elements a span may bring on average: its attributes (two elements each: the key-value
    /// pair and its value), events, links and their attributes. Typical messaging spans carry
    /// 10–30; 64 leaves room for rich spans while bounding what a request of empty elements costs.
    public static let elementsPerSpan = 64
    /// Bytes a span may take on average beyond its one longest attribute value: ids, times,
    /// names and a dozen short attributes.
    public static let bytesPerSpan = 1024
    /// No cap on the decoded body is smaller than this (a request of a few spans with long
    /// values must pass).
    public static let minimumDecodedBytes = 1 << 20

    /// Limits with explicit caps.
    public init(maxSpans: Int, maxElements: Int, maxDecodedBytes: Int) {
        self.maxSpans = maxSpans
        self.maxElements = maxElements
        self.maxDecodedBytes = maxDecodedBytes
    }

    /// The caps that follow from a span limit and an attribute-length limit: at most
    /// ``elementsPerSpan`` elements and `maxAttributeBytes` + ``bytesPerSpan`` bytes per span of
    /// the limit (for the defaults, 10,000 spans and 4 KiB: 640,000 elements and 50 MiB).
    public static func derived(maxSpans: Int, maxAttributeBytes: Int) -> OTLPRequestLimits {
        let spans = max(1, maxSpans)
        let (elements, elementsOverflow) = spans.multipliedReportingOverflow(by: elementsPerSpan)
        let (perSpan, perSpanOverflow) = max(0, maxAttributeBytes).addingReportingOverflow(bytesPerSpan)
        let (bytes, bytesOverflow) = spans.multipliedReportingOverflow(by: perSpan)
        return OTLPRequestLimits(
            maxSpans: spans,
            maxElements: elementsOverflow ? .max : elements,
            maxDecodedBytes: perSpanOverflow || bytesOverflow ? .max : max(minimumDecodedBytes, bytes)
        )
    }
}

/// What ``OTLPRequestScan`` found in a request's wire bytes.
public struct OTLPRequestShape: Sendable, Hashable {
    /// Spans over all resources and scopes.
    public var spans: Int
    /// Elements at any depth (spans included).
    public var elements: Int

    public init(spans: Int, elements: Int) {
        self.spans = spans
        self.elements = elements
    }
}
