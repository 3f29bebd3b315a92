import ChoreoModel

/// The spans of one decoded OTLP export request, with the ones that had to be rejected.
///
/// A request with rejected spans is still a success for the sender (OTLP partial success):
/// answer 200 with `partialSuccess` carrying ``rejectedSpans`` and ``rejectionReason``.
public struct OTLPDecodedRequest: Sendable {
    /// The valid spans, in request order.
    public var spans: [SpanRecord]
    /// How many spans were rejected (e.g. an all-zero or wrong-length trace or span id).
    public var rejectedSpans: Int
    /// Why spans were rejected (the first reason, with the count); nil when none were.
    public var rejectionReason: String?

    public init(spans: [SpanRecord], rejectedSpans: Int = 0, rejectionReason: String? = nil) {
        self.spans = spans
        self.rejectedSpans = rejectedSpans
        self.rejectionReason = rejectionReason
    }
}
