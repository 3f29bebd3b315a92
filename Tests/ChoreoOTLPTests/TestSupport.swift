import ChoreoModel
@testable import ChoreoOTLP
import Foundation

func kv(_ key: String, _ value: String) -> OTLPKeyValue {
    var kv = OTLPKeyValue()
    kv.key = key
    kv.value.stringValue = value
    return kv
}

func plainSpan(_ id: UInt64) -> OTLPSpan {
    var span = OTLPSpan()
    span.traceID = TraceID(high: 7, low: id).bytes.data
    span.spanID = SpanID(id).bytes.data
    span.name = "plain \(id)"
    return span
}

func request(resource: [OTLPKeyValue], spans: [OTLPSpan]) -> OTLPExportRequest {
    var resourceSpans = OTLPResourceSpans()
    resourceSpans.resource.attributes = resource
    var scope = OTLPScopeSpans()
    scope.spans = spans
    resourceSpans.scopeSpans = [scope]
    var request = OTLPExportRequest()
    request.resourceSpans = [resourceSpans]
    return request
}

/// The two OTLP encodings, for tests that run against both.
enum OTLPFormatCase: CaseIterable, Sendable {
    case protobuf, json

    func encode(_ spans: [SpanRecord]) throws -> [UInt8] {
        self == .json ? try OTLPJSON.encodeRequest(spans) : try OTLPProtobuf.encodeRequest(spans)
    }

    func decode(_ bytes: [UInt8]) throws -> OTLPDecodedRequest {
        self == .json ? try OTLPJSON.decodeRequest(bytes) : try OTLPProtobuf.decodeRequest(bytes)
    }

    func decodeMessage(_ bytes: [UInt8]) throws -> OTLPExportRequest {
        self == .json ? try OTLPJSON.decodeRequestMessage(bytes) : try OTLPProtobuf.decodeRequestMessage(bytes)
    }

    var contentType: String { self == .json ? OTLPHTTP.jsonContentType : OTLPHTTP.protobufContentType }
}

extension [UInt8] {
    var data: Data { Data(self) }
}

extension OTLPRequestLimits {
    /// Only a cap on the decoded bytes: no span or element limit.
    static func bytes(_ maxDecodedBytes: Int) -> OTLPRequestLimits {
        OTLPRequestLimits(maxSpans: .max, maxElements: .max, maxDecodedBytes: maxDecodedBytes)
    }
}
