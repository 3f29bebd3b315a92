import ChoreoModel
import SwiftProtobuf

/// OTLP/JSON: `ExportTraceServiceRequest` bodies as `application/json`.
///
/// As the OTLP spec requires (and unlike protobuf's generic JSON mapping): trace and span ids
/// are hex strings, not base64; enums are written as integers (names are accepted too); keys
/// are lowerCamelCase (snake_case is accepted); unknown fields are ignored.
public enum OTLPJSON {
    /// Encodes span records as an OTLP/JSON `ExportTraceServiceRequest`.
    public static func encodeRequest(_ spans: [SpanRecord]) throws -> [UInt8] {
        try encodeRequestMessage(OTLPRequestBuilder().request(spans))
    }

    /// Decodes an OTLP/JSON `ExportTraceServiceRequest` into span records; spans with invalid
    /// ids are rejected and counted. Invalid JSON throws ``OTLPDecodingError/Code/malformedJSON``.
    public static func decodeRequest(_ bytes: [UInt8]) throws(OTLPDecodingError) -> OTLPDecodedRequest {
        OTLPRecordDecoder.decode(try decodeRequestMessage(bytes))
    }

    /// Decodes the raw request message with ids turned into their binary form, ready to be
    /// re-encoded as protobuf (the agent forwards everything as protobuf).
    public static func decodeRequestMessage(_ bytes: [UInt8]) throws(OTLPDecodingError) -> OTLPExportRequest {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        var request: OTLPExportRequest
        do {
            request = try OTLPExportRequest(jsonUTF8Bytes: bytes, options: options)
        } catch {
            throw OTLPDecodingError(
                .malformedJSON, "the body is not a valid OTLP/JSON ExportTraceServiceRequest (\(error))")
        }
        OTLPHexIDs.normalize(&request)
        return request
    }

    /// Encodes a raw request message (ids in binary form) as OTLP/JSON.
    public static func encodeRequestMessage(_ request: OTLPExportRequest) throws -> [UInt8] {
        var request = request
        OTLPHexIDs.prepareForJSON(&request)
        return try request.jsonUTF8Bytes(options: encodingOptions)
    }

    static var encodingOptions: JSONEncodingOptions {
        var options = JSONEncodingOptions()
        options.alwaysPrintEnumsAsInts = true
        return options
    }
}
