import SwiftProtobuf

/// OTLP/HTTP bodies of `POST /v1/traces`: choosing the format, gunzipping, and the answers.
public enum OTLPHTTP {
    /// Content-Type of OTLP/protobuf bodies.
    public static let protobufContentType = "application/x-protobuf"
    /// Content-Type of OTLP/JSON bodies.
    public static let jsonContentType = "application/json"

    /// The two encodings of OTLP/HTTP.
    public enum Format: Sendable {
        /// `application/x-protobuf`: the binary protobuf encoding.
        case protobuf
        /// `application/json`: OTLP/JSON (hex ids, integer enums).
        case json

        /// The Content-Type to send bodies of this format with.
        public var contentType: String { self == .json ? OTLPHTTP.jsonContentType : OTLPHTTP.protobufContentType }
    }

    /// The format a Content-Type names (parameters such as `; charset=utf-8` and case are
    /// ignored; `application/protobuf` is accepted as protobuf), or nil.
    public static func format(ofContentType contentType: String?) -> Format? {
        guard let contentType else { return nil }
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        switch mediaType.trimmingSpaces.lowercased() {
        case protobufContentType, "application/protobuf": return .protobuf
        case jsonContentType: return .json
        default: return nil
        }
    }

    /// Decodes a POST /v1/traces body: chooses protobuf or JSON by Content-Type (ignoring
    /// parameters like `;charset`), gunzips when Content-Encoding is gzip (identity or absent:
    /// as is; anything else: ``OTLPDecodingError/Code/unsupportedEncoding``), then checks
    /// `limits` on the wire bytes (``OTLPRequestScan``) before decoding anything: a body larger
    /// than ``OTLPRequestLimits/maxDecodedBytes`` after decompression is
    /// ``OTLPDecodingError/Code/tooLarge``, one with too many elements
    /// ``OTLPDecodingError/Code/tooManyElements``, one with too many spans
    /// ``OTLPDecodingError/Code/tooManySpans``.
    public static func decodeBody(
        _ body: [UInt8], contentType: String?, contentEncoding: String?, limits: OTLPRequestLimits
    ) throws(OTLPDecodingError) -> OTLPDecodedRequest {
        let (format, bytes) = try checkedBytes(body, contentType: contentType, contentEncoding: contentEncoding, limits: limits)
        switch format {
        case .protobuf: return try OTLPProtobuf.decodeRequest(bytes)
        case .json: return try OTLPJSON.decodeRequest(bytes)
        }
    }

    /// Like ``decodeBody(_:contentType:contentEncoding:limits:)`` but returns the raw request
    /// message (ids in binary form, whatever the format), for forwarding, with the decompressed
    /// bytes when the body was protobuf (they can be forwarded as they are) and the request's shape.
    public static func decodeBodyMessage(
        _ body: [UInt8], contentType: String?, contentEncoding: String?, limits: OTLPRequestLimits
    ) throws(OTLPDecodingError) -> (message: OTLPExportRequest, protobuf: [UInt8]?, shape: OTLPRequestShape) {
        let format = try requireFormat(contentType)
        let bytes = try decodedBytes(body, contentEncoding: contentEncoding, maxDecompressedBytes: limits.maxDecodedBytes)
        switch format {
        case .protobuf:
            let shape = try OTLPRequestScan.protobuf(bytes, limits: limits)
            return (try OTLPProtobuf.decodeRequestMessage(bytes), bytes, shape)
        case .json:
            let shape = try OTLPRequestScan.json(bytes, limits: limits)
            let message = try OTLPJSON.decodeRequestMessage(bytes)
            // Spans behind an escaped `spans` key escape the scan's span count, not its element count.
            let spans = message.spanCount
            guard spans <= limits.maxSpans else { throw OTLPRequestScan.tooManySpans(limits) }
            return (message, nil, OTLPRequestShape(spans: spans, elements: shape.elements))
        }
    }

    /// The body decompressed and checked against `limits`, with its format.
    private static func checkedBytes(
        _ body: [UInt8], contentType: String?, contentEncoding: String?, limits: OTLPRequestLimits
    ) throws(OTLPDecodingError) -> (Format, [UInt8]) {
        let format = try requireFormat(contentType)
        let bytes = try decodedBytes(body, contentEncoding: contentEncoding, maxDecompressedBytes: limits.maxDecodedBytes)
        switch format {
        case .protobuf: _ = try OTLPRequestScan.protobuf(bytes, limits: limits)
        case .json: _ = try OTLPRequestScan.json(bytes, limits: limits)
        }
        return (format, bytes)
    }

    /// An ExportTraceServiceResponse in the request's format (protobuf unless the request was
    /// JSON); with `partialSuccess` when `rejectedSpans > 0` or there is an error message.
    public static func successBody(
        contentType: String?, rejectedSpans: Int, errorMessage: String?
    ) -> (body: [UInt8], contentType: String) {
        var response = OTLPExportResponse()
        if rejectedSpans > 0 || !(errorMessage ?? "").isEmpty {
            response.partialSuccess.rejectedSpans = Int64(max(0, rejectedSpans))
            response.partialSuccess.errorMessage = errorMessage ?? ""
        }
        return encode(response, answering: contentType)
    }

    /// A google.rpc.Status body (code + message) in the request's format, for 4xx/5xx answers.
    /// The gRPC code is UNKNOWN (2); use ``statusBody(contentType:code:message:)`` to name one.
    public static func statusBody(contentType: String?, message: String) -> (body: [UInt8], contentType: String) {
        statusBody(contentType: contentType, code: 2, message: message)
    }

    /// A google.rpc.Status body with a gRPC status code (e.g. 3 INVALID_ARGUMENT for a 400,
    /// 8 RESOURCE_EXHAUSTED for a 429, 14 UNAVAILABLE for a 503).
    public static func statusBody(
        contentType: String?, code: Int32, message: String
    ) -> (body: [UInt8], contentType: String) {
        var status = Google_Rpc_Status()
        status.code = code
        status.message = message
        return encode(status, answering: contentType)
    }

    private static func requireFormat(_ contentType: String?) throws(OTLPDecodingError) -> Format {
        guard let format = format(ofContentType: contentType) else {
            let got = contentType.map { "\"\($0)\"" } ?? "no Content-Type"
            throw OTLPDecodingError(
                .unsupportedContentType, "got \(got); send \(protobufContentType) or \(jsonContentType)")
        }
        return format
    }

    private static func decodedBytes(
        _ body: [UInt8], contentEncoding: String?, maxDecompressedBytes: Int
    ) throws(OTLPDecodingError) -> [UInt8] {
        let encoding = (contentEncoding ?? "").trimmingSpaces.lowercased()
        switch encoding {
        case "", "identity":
            guard body.count <= maxDecompressedBytes else {
                throw OTLPDecodingError(
                    .tooLarge, "the body is \(body.count) bytes, over the limit of \(maxDecompressedBytes); send smaller batches")
            }
            return body
        case "gzip", "x-gzip":
            return try Gzip.decompress(body, maxOutputBytes: maxDecompressedBytes)
        default:
            throw OTLPDecodingError(
                .unsupportedEncoding, "Content-Encoding \"\(contentEncoding ?? "")\" is not supported; send gzip or no encoding")
        }
    }

    private static func encode(_ message: some SwiftProtobuf.Message, answering contentType: String?) -> (body: [UInt8], contentType: String) {
        // Encoding these small messages cannot fail: they have no required fields or Any values.
        if format(ofContentType: contentType) == .json,
            let body: [UInt8] = try? message.jsonUTF8Bytes(options: OTLPJSON.encodingOptions)
        {
            return (body, jsonContentType)
        }
        let body: [UInt8] = (try? message.serializedBytes()) ?? []
        return (body, protobufContentType)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: Substring {
        let s = self[...]
        guard let first = s.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let last = s.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return Substring() }
        return Substring(s[first...last])
    }
}
