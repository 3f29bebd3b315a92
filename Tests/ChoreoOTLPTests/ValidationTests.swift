import ChoreoModel
@testable import ChoreoOTLP
import Foundation
import Testing

@Suite("per-span validation (partial success)")
struct ValidationTests {
    struct BadSpan: CustomTestStringConvertible, Sendable {
        var label: String
        var traceID: [UInt8]
        var spanID: [UInt8]
        var parentSpanID: [UInt8] = []
        var testDescription: String { label }
    }

    static let goodTrace = Fixtures.traceID.bytes
    static let goodSpan = SpanID(9).bytes

    @Test(
        "a span with an invalid id is rejected and counted; the others are kept",
        arguments: [
            BadSpan(label: "all-zero trace id", traceID: [UInt8](repeating: 0, count: 16), spanID: goodSpan),
            BadSpan(label: "empty trace id", traceID: [], spanID: goodSpan),
            BadSpan(label: "short trace id", traceID: [UInt8](repeating: 1, count: 12), spanID: goodSpan),
            BadSpan(label: "long trace id", traceID: [UInt8](repeating: 1, count: 17), spanID: goodSpan),
            BadSpan(label: "all-zero span id", traceID: goodTrace, spanID: [UInt8](repeating: 0, count: 8)),
            BadSpan(label: "empty span id", traceID: goodTrace, spanID: []),
            BadSpan(label: "short span id", traceID: goodTrace, spanID: [1, 2, 3]),
            BadSpan(label: "parent id of 5 bytes", traceID: goodTrace, spanID: goodSpan, parentSpanID: [1, 2, 3, 4, 5]),
        ])
    func rejects(_ bad: BadSpan) throws {
        var span = plainSpan(1)
        span.name = bad.label
        span.traceID = Data(bad.traceID)
        span.spanID = Data(bad.spanID)
        span.parentSpanID = Data(bad.parentSpanID)
        let message = request(resource: [kv("service.name", "svc")], spans: [plainSpan(2), span, plainSpan(3)])
        for format in OTLPFormatCase.allCases {
            let bytes = format == .json ? try OTLPJSON.encodeRequestMessage(message) : try OTLPProtobuf.encodeRequestMessage(message)
            let decoded = try OTLPHTTP.decodeBody(bytes, contentType: format.contentType, contentEncoding: nil, limits: .bytes(1 << 20))
            #expect(decoded.spans.map(\.name) == ["plain 2", "plain 3"])
            #expect(decoded.rejectedSpans == 1)
            let reason = try #require(decoded.rejectionReason)
            #expect(reason.contains(bad.label))
            #expect(reason.contains("rejected 1 of 3"))
        }
    }

    @Test("an all-zero trace id gives a partial-success answer")
    func partialSuccessAnswer() throws {
        var zero = plainSpan(1)
        zero.traceID = Data(count: 16)
        let decoded = OTLPRecordDecoder.decode(request(resource: [], spans: [zero, plainSpan(2)]))
        let answer = OTLPHTTP.successBody(
            contentType: OTLPHTTP.protobufContentType,
            rejectedSpans: decoded.rejectedSpans, errorMessage: decoded.rejectionReason)
        let response = try OTLPExportResponse(serializedBytes: answer.body)
        #expect(response.partialSuccess.rejectedSpans == 1)
        #expect(response.partialSuccess.errorMessage.contains("trace_id"))
    }

    @Test("an all-zero parent span id means no parent")
    func zeroParent() {
        var span = plainSpan(1)
        span.parentSpanID = Data(count: 8)
        let decoded = OTLPRecordDecoder.decode(request(resource: [], spans: [span]))
        #expect(decoded.spans.count == 1)
        #expect(decoded.spans.first?.parentSpanID == nil)
    }

    @Test("a link with invalid ids is left out, the span is kept")
    func badLink() {
        var span = plainSpan(1)
        var bad = OTLPSpan.Link()
        bad.traceID = Data([1, 2])
        bad.spanID = Data(SpanID(1).bytes)
        var good = OTLPSpan.Link()
        good.traceID = Data(Fixtures.traceID.bytes)
        good.spanID = Data(SpanID(4).bytes)
        span.links = [bad, good]
        let decoded = OTLPRecordDecoder.decode(request(resource: [], spans: [span]))
        #expect(decoded.spans.first?.links == [SpanLink(traceID: Fixtures.traceID, spanID: SpanID(4))])
        #expect(decoded.rejectedSpans == 0)
    }

    @Test("unknown kinds and status codes fall back to unspecified and unset")
    func unknownEnums() {
        var span = plainSpan(1)
        span.kind = .UNRECOGNIZED(42)
        span.status.code = .UNRECOGNIZED(9)
        let decoded = OTLPRecordDecoder.decode(request(resource: [], spans: [span]))
        #expect(decoded.spans.first?.kind == .unspecified)
        #expect(decoded.spans.first?.statusCode == .unset)
    }
}
