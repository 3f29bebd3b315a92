import ChoreoModel
@testable import ChoreoOTLP
import Foundation
import Testing

@Suite("OTLP/HTTP bodies")
struct HTTPBodyTests {
    static let limit = 4 << 20

    func decode(_ body: [UInt8], _ contentType: String?, _ encoding: String? = nil) throws -> OTLPDecodedRequest {
        try OTLPHTTP.decodeBody(body, contentType: contentType, contentEncoding: encoding, limits: .bytes(Self.limit))
    }

    func code(of body: () throws -> Any) -> OTLPDecodingError.Code? {
        do {
            _ = try body()
            return nil
        } catch { return (error as? OTLPDecodingError)?.code }
    }

    @Test(
        "chooses the format by Content-Type, ignoring parameters and case",
        arguments: [
            ("application/x-protobuf", OTLPFormatCase.protobuf), ("application/protobuf", .protobuf),
            ("Application/X-Protobuf", .protobuf), ("application/json", .json),
            ("application/json; charset=utf-8", .json), (" application/json ;charset=UTF-8", .json),
        ])
    func contentTypes(_ contentType: String, _ format: OTLPFormatCase) throws {
        let spans = [Fixtures.producer]
        #expect(try decode(try format.encode(spans), contentType).spans == spans)
    }

    @Test(
        "gunzips gzip bodies; identity and absent encodings pass as is",
        arguments: [
            ("gzip", true), ("GZIP", true), ("x-gzip", true), ("identity", false), ("", false),
        ])
    func encodings(_ encoding: String, _ compress: Bool) throws {
        for format in OTLPFormatCase.allCases {
            let plain = try format.encode([Fixtures.consumer])
            let body = compress ? Gzip.compress(plain) : plain
            #expect(try decode(body, format.contentType, encoding).spans == [Fixtures.consumer])
        }
        #expect(try decode(try OTLPProtobuf.encodeRequest([Fixtures.consumer]), OTLPHTTP.protobufContentType, nil).spans.count == 1)
    }

    @Test(
        "unsupported content types are unsupportedContentType",
        arguments: [
            nil, "", "text/plain", "application/xml", "application/x-protobuf-ish", "json",
        ] as [String?])
    func unsupportedContentType(_ contentType: String?) {
        #expect(code { try decode([], contentType) } == .unsupportedContentType)
    }

    @Test("unsupported encodings are unsupportedEncoding", arguments: ["br", "deflate", "zstd", "gzip, br"])
    func unsupportedEncoding(_ encoding: String) {
        #expect(code { try decode([], OTLPHTTP.protobufContentType, encoding) } == .unsupportedEncoding)
    }

    @Test("each kind of garbage gives its own code")
    func garbageCodes() {
        #expect(code { try decode([0xFF, 0xFF], OTLPHTTP.protobufContentType) } == .malformedProtobuf)
        #expect(code { try decode(Array("{oops".utf8), OTLPHTTP.jsonContentType) } == .malformedJSON)
        #expect(code { try decode(Array("not gzip".utf8), OTLPHTTP.jsonContentType, "gzip") } == .malformedGzip)
        let spans = Fixtures.many(50, seed: 1)
        #expect(
            code {
                try OTLPHTTP.decodeBody(
                    try OTLPProtobuf.encodeRequest(spans), contentType: OTLPHTTP.protobufContentType,
                    contentEncoding: nil, limits: .bytes(100))
            } == .tooLarge)
        #expect(
            code {
                try OTLPHTTP.decodeBody(
                    Gzip.compress(try OTLPProtobuf.encodeRequest(spans)), contentType: OTLPHTTP.protobufContentType,
                    contentEncoding: "gzip", limits: .bytes(100))
            } == .tooLarge)
    }

    @Test("decodeBodyMessage returns binary ids whatever the format")
    func bodyMessage() throws {
        for format in OTLPFormatCase.allCases {
            let message = try OTLPHTTP.decodeBodyMessage(
                Gzip.compress(try format.encode([Fixtures.producer])), contentType: format.contentType,
                contentEncoding: "gzip", limits: .bytes(Self.limit)
            ).message
            #expect(message.spanCount == 1)
            #expect(message.resourceSpans.first?.scopeSpans.first?.spans.first?.traceID == Fixtures.traceID.bytes.data)
        }
    }

    @Test("a success body answers in the request's format, with partialSuccess only when needed")
    func successBodies() throws {
        let plain = OTLPHTTP.successBody(contentType: OTLPHTTP.protobufContentType, rejectedSpans: 0, errorMessage: nil)
        #expect(plain.contentType == OTLPHTTP.protobufContentType)
        #expect(try OTLPExportResponse(serializedBytes: plain.body).hasPartialSuccess == false)

        let partial = OTLPHTTP.successBody(contentType: OTLPHTTP.protobufContentType, rejectedSpans: 3, errorMessage: "bad ids")
        let response = try OTLPExportResponse(serializedBytes: partial.body)
        #expect(response.partialSuccess.rejectedSpans == 3)
        #expect(response.partialSuccess.errorMessage == "bad ids")

        let json = OTLPHTTP.successBody(contentType: "application/json; charset=utf-8", rejectedSpans: 2, errorMessage: "x")
        #expect(json.contentType == OTLPHTTP.jsonContentType)
        let decoded = try OTLPExportResponse(jsonUTF8Bytes: json.body)
        #expect(decoded.partialSuccess.rejectedSpans == 2)
        let emptyJSON = OTLPHTTP.successBody(contentType: OTLPHTTP.jsonContentType, rejectedSpans: 0, errorMessage: nil)
        #expect(String(decoding: emptyJSON.body, as: UTF8.self) == "{}")
    }

    @Test("a status body is a google.rpc.Status in the request's format")
    func statusBodies() throws {
        let proto = OTLPHTTP.statusBody(contentType: nil, message: "too big")
        #expect(proto.contentType == OTLPHTTP.protobufContentType)
        let status = try Google_Rpc_Status(serializedBytes: proto.body)
        #expect(status.message == "too big")
        #expect(status.code == 2)

        let json = OTLPHTTP.statusBody(contentType: OTLPHTTP.jsonContentType, code: 14, message: "busy")
        #expect(json.contentType == OTLPHTTP.jsonContentType)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.body)) as? [String: Any])
        #expect(object["message"] as? String == "busy")
        #expect(object["code"] as? Int == 14)
    }

    @Test("error descriptions name the code and say what to do")
    func errorText() {
        do throws(OTLPDecodingError) {
            _ = try OTLPHTTP.decodeBody([], contentType: "text/plain", contentEncoding: nil, limits: .bytes(10))
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("unsupportedContentType:"))
            #expect(error.message.contains("application/x-protobuf"))
        }
    }
}
