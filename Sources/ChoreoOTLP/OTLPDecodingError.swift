/// Why an OTLP request body could not be decoded.
///
/// Every case is final for the sender: the same body will fail again, so the receiver answers
/// 4xx (413 for ``Code/tooLarge``, ``Code/tooManyElements`` and ``Code/tooManySpans``, 415 for an unsupported content type, 400 otherwise).
public struct OTLPDecodingError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, for choosing a status code and for counting.
    public enum Code: String, Sendable {
        /// The Content-Type is neither OTLP protobuf nor OTLP JSON.
        case unsupportedContentType
        /// The Content-Encoding is neither `gzip` nor `identity`.
        case unsupportedEncoding
        /// The body claims gzip but is not a valid gzip stream.
        case malformedGzip
        /// The body is not a valid `ExportTraceServiceRequest` in protobuf.
        case malformedProtobuf
        /// The body is not a valid `ExportTraceServiceRequest` in OTLP/JSON.
        case malformedJSON
        /// The body (after decompression) is larger than the receiver accepts.
        case tooLarge
        /// The request holds more elements than ``OTLPRequestLimits/maxElements``.
        case tooManyElements
        /// The request holds more spans than ``OTLPRequestLimits/maxSpans``.
        case tooManySpans
    }

    /// The kind of failure.
    public var code: Code
    /// What was wrong, in words a sender can act on.
    public var message: String

    /// An error of kind `code`; `message` should say what to change.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// Shorthand for ``init(code:message:)``.
    public init(_ code: Code, _ message: String) {
        self.init(code: code, message: message)
    }

    /// The code and the message, e.g. `malformedGzip: the gzip stream is truncated`.
    public var description: String { "\(code.rawValue): \(message)" }
}
