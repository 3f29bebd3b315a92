import ChoreoModel
import ChoreoTestSupport
@testable import ChoreoOTLP
import Foundation
import Testing

@Suite("limits checked on the wire bytes before decoding")
struct RequestScanTests {
    static let limits = OTLPRequestLimits.derived(maxSpans: 10_000, maxAttributeBytes: 4096)

    /// `count` empty spans in one scope: 2 bytes each on the wire.
    static func emptySpans(_ count: Int) -> [UInt8] {
        var spans = [UInt8](repeating: 0, count: count * 2)
        for i in stride(from: 0, to: spans.count, by: 2) { spans[i] = 0x12 }  // field 2, length 0
        return wrap(spans, field: 2).lengthDelimited(field: 1)
    }

    /// One span holding `count` empty attributes.
    static func emptyAttributes(_ count: Int) -> [UInt8] {
        var attributes = [UInt8](repeating: 0, count: count * 2)
        for i in stride(from: 0, to: attributes.count, by: 2) { attributes[i] = 0x4A }  // field 9, length 0
        return wrap(wrap(wrap(attributes, field: 2), field: 2), field: 1)
    }

    static func wrap(_ bytes: [UInt8], field: UInt8) -> [UInt8] { bytes.lengthDelimited(field: field) }

    @Test("the limits follow from the span and attribute limits")
    func derived() {
        #expect(Self.limits.maxSpans == 10_000)
        #expect(Self.limits.maxElements == 640_000)
        #expect(Self.limits.maxDecodedBytes == 10_000 * (4096 + 1024))
        let small = OTLPRequestLimits.derived(maxSpans: 1, maxAttributeBytes: 16)
        #expect(small.maxDecodedBytes == OTLPRequestLimits.minimumDecodedBytes, "never below the minimum")
        let huge = OTLPRequestLimits.derived(maxSpans: .max, maxAttributeBytes: .max)
        #expect(huge.maxElements == .max && huge.maxDecodedBytes == .max, "saturates instead of trapping")
    }

    @Test("valid requests: the scan counts the spans the decoder finds, in both formats")
    func countsValidRequests() throws {
        let spans = Fixtures.many(37, seed: 3) + [Fixtures.producer, Fixtures.consumer]
        let protobuf = try OTLPProtobuf.encodeRequest(spans)
        #expect(try OTLPRequestScan.protobuf(protobuf, limits: Self.limits).spans == spans.count)
        let json = try OTLPJSON.encodeRequest(spans)
        #expect(try OTLPRequestScan.json(json, limits: Self.limits).spans == spans.count)
    }

    @Test("8 million empty spans in a 16 MB body are refused as too many spans, not decoded")
    func amplifiedSpans() throws {
        let body = Self.emptySpans(8_000_000)
        #expect(body.count > 15_000_000)
        #expect(throws: OTLPDecodingError.self) { try OTLPRequestScan.protobuf(body, limits: Self.limits) }
        do {
            _ = try OTLPHTTP.decodeBody(
                Gzip.compress(body), contentType: OTLPHTTP.protobufContentType, contentEncoding: "gzip",
                limits: OTLPRequestLimits(maxSpans: 10_000, maxElements: .max, maxDecodedBytes: .max))
            Issue.record("an amplified body was decoded")
        } catch {
            #expect(error.code == .tooManySpans)
            #expect(error.message.contains("10000"))
        }
    }

    @Test("a span with a million empty attributes is refused for its elements")
    func amplifiedAttributes() throws {
        do {
            _ = try OTLPRequestScan.protobuf(Self.emptyAttributes(1_000_000), limits: Self.limits)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .tooManyElements)
            #expect(error.message.contains("640000 elements"))
        }
        #expect(try OTLPRequestScan.protobuf(Self.emptyAttributes(1000), limits: Self.limits).elements == 1003)
    }

    @Test("JSON: empty spans and empty objects count as spans and elements")
    func amplifiedJSON() throws {
        let spans = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + Array(repeating: "{}", count: 10_001).joined(separator: ",") + "]}]}]}"
        do {
            _ = try OTLPRequestScan.json(Array(spans.utf8), limits: Self.limits)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .tooManySpans)
        }
        let attributes =
            "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":["
            + Array(repeating: "{}", count: 700_000).joined(separator: ",") + "]}]}]}]}"
        #expect(throws: OTLPDecodingError.self) { try OTLPRequestScan.json(Array(attributes.utf8), limits: Self.limits) }
        let quoted = "{\"name\":\"spans [{ } ] \\\" {\",\"spans\":[{},{}]}"
        #expect(
            try OTLPRequestScan.json(Array(quoted.utf8), limits: Self.limits) == OTLPRequestShape(spans: 2, elements: 3),
            "brackets and quotes inside strings are not structure")
    }

    @Test("nesting deeper than the decoder allows is malformed, not a stack overflow", arguments: [200, 5000])
    func deepNesting(depth: Int) {
        // AnyValue → ArrayValue → AnyValue … as one attribute's value.
        var value: [UInt8] = []
        for _ in 0..<depth { value = value.lengthDelimited(field: 1).lengthDelimited(field: 5) }
        let body = [UInt8]([0x0A, 0x01, 0x6B] + value.lengthDelimited(field: 2)).lengthDelimited(field: 9).lengthDelimited(field: 2).lengthDelimited(field: 2)
            .lengthDelimited(field: 1)
        do {
            _ = try OTLPRequestScan.protobuf(body, limits: Self.limits)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .malformedProtobuf)
        }
        let json = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: OTLPDecodingError.self) { try OTLPRequestScan.json(Array(json.utf8), limits: Self.limits) }
    }

    @Test(
        "truncated and invalid wire data is malformed",
        arguments: [
            [0x0A], [0x0A, 0x05, 0x00], [0x08], [0x0F], [0x00], [0x0B, 0x10, 0x01], [0x0B, 0x14], [0x09, 1, 2, 3],
            [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
        ] as [[UInt8]])
    func malformed(bytes: [UInt8]) {
        do {
            _ = try OTLPRequestScan.protobuf(bytes, limits: Self.limits)
            Issue.record("accepted \(bytes)")
        } catch {
            #expect(error.code == .malformedProtobuf)
        }
        #expect((try? OTLPProtobuf.decodeRequestMessage(bytes)) == nil, "the decoder refuses it too")
    }
}
