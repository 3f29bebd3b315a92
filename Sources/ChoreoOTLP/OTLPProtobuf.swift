import ChoreoModel
import SwiftProtobuf

/// OTLP/protobuf: `ExportTraceServiceRequest` bodies as `application/x-protobuf`.
public enum OTLPProtobuf {
    /// Encodes span records as `ExportTraceServiceRequest` bytes (grouped by resource and scope;
    /// a span attribute `service.name` is lifted into its resource).
    public static func encodeRequest(_ spans: [SpanRecord]) throws -> [UInt8] {
        try OTLPRequestBuilder().request(spans).serializedBytes()
    }

    /// Decodes `ExportTraceServiceRequest` bytes into span records; spans with invalid ids are
    /// rejected and counted, the rest are kept. Garbage throws ``OTLPDecodingError/Code/malformedProtobuf``.
    ///
    /// Requests as exporters send them are decoded straight from the wire bytes
    /// (``OTLPDirectDecoder``); anything unusual takes the general path (SwiftProtobuf), with the
    /// same result.
    public static func decodeRequest(_ bytes: [UInt8]) throws(OTLPDecodingError) -> OTLPDecodedRequest {
        if let direct = OTLPDirectDecoder.decode(bytes) { return direct }
        return try decodeRequestGeneral(bytes)
    }

    /// ``decodeRequest(_:)`` through SwiftProtobuf messages only (what the direct decoder must equal).
    static func decodeRequestGeneral(_ bytes: [UInt8]) throws(OTLPDecodingError) -> OTLPDecodedRequest {
        OTLPRecordDecoder.decode(try decodeRequestMessage(bytes))
    }

    /// Decodes the raw request message without converting it, for forwarding or merging
    /// requests cheaply (the agent). Unknown fields are kept, so nothing is lost on re-encoding.
    public static func decodeRequestMessage(_ bytes: [UInt8]) throws(OTLPDecodingError) -> OTLPExportRequest {
        do {
            return try OTLPExportRequest(serializedBytes: bytes)
        } catch {
            throw OTLPDecodingError(
                .malformedProtobuf,
                "the body is not a valid protobuf ExportTraceServiceRequest (\(error)); "
                    + "check that Content-Type matches the body and that it is not compressed without Content-Encoding")
        }
    }

    /// Encodes a raw request message (e.g. several merged requests) as protobuf bytes.
    public static func encodeRequestMessage(_ request: OTLPExportRequest) throws -> [UInt8] {
        try request.serializedBytes()
    }
}
