import ChoreoModel
import ChoreoTestSupport
import Foundation
@testable import ChoreoOTLP
import Testing

/// The direct protobuf decoder (the ingest hot path) must give exactly what the general path
/// (SwiftProtobuf messages, then OTLPRecordDecoder) gives, for every request it decodes, and
/// hand everything unusual to the general path instead of guessing.
@Suite("direct protobuf decoding")
struct DirectDecoderTests {
    static let cases = FuzzBudget.cases(default: 3000)

    /// Requests as exporters send them, covering every field the decoder reads.
    static var corpus: [[SpanRecord]] {
        var withServiceAttribute = Fixtures.producer
        withServiceAttribute.attributes[MessagingKey.serviceName] = .string("span-level")
        var rejected = Fixtures.many(3, seed: 9)
        rejected[1].traceID = TraceID(high: 0, low: 0)
        return [
            [Fixtures.producer, Fixtures.consumer],
            Fixtures.many(40, seed: 7),
            [withServiceAttribute],
            rejected,
            [],
        ]
    }

    static func equal(_ a: OTLPDecodedRequest, _ b: OTLPDecodedRequest) -> Bool {
        a.spans == b.spans && a.rejectedSpans == b.rejectedSpans && a.rejectionReason == b.rejectionReason
    }

    @Test("every exporter-shaped request takes the direct path and equals the general path")
    func corpusTakesTheDirectPath() throws {
        for spans in Self.corpus {
            let bytes = try OTLPProtobuf.encodeRequest(spans)
            let direct = try #require(OTLPDirectDecoder.decode(bytes), "the direct path declined a plain request")
            let general = try OTLPProtobuf.decodeRequestGeneral(bytes)
            #expect(Self.equal(direct, general))
            #expect(direct.spans.count + direct.rejectedSpans == spans.count)
        }
    }

    @Test("mutated requests: whatever the direct path decodes equals the general path, and it accepts nothing the general path rejects")
    func mutationsAgree() throws {
        let requests = try Self.corpus.filter { !$0.isEmpty }.map { try OTLPProtobuf.encodeRequest($0) }
        var rng = SplitMix64(seed: 0xD1EC7)
        var direct = 0
        var declined = 0
        var generalOnly = 0
        for i in 0..<Self.cases {
            var bytes = requests[i % requests.count]
            for _ in 0..<(1 + rng.next() % 3) {
                let position = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: position)
                default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: position)
                }
            }
            let general = try? OTLPProtobuf.decodeRequestGeneral(bytes)
            guard let fast = OTLPDirectDecoder.decode(bytes) else {
                declined += 1
                if general != nil { generalOnly += 1 }
                continue
            }
            direct += 1
            let slow = try #require(general, "the direct path accepted a request the general path rejects: \(bytes)")
            #expect(Self.equal(fast, slow), "the paths disagree on \(bytes)")
        }
        #expect(direct >= Self.cases / 20, "enough mutations took the direct path for the comparison to mean something")
        #expect(declined > 0 && generalOnly > 0, "some mutations were handed to the general path, which decoded them")
    }

    /// A request built from SwiftProtobuf messages, with one thing the model does not write.
    static func unusual(_ edit: (inout OTLPSpan, inout OTLPResourceSpans) -> Void) throws -> [UInt8] {
        var request = try OTLPExportRequest(serializedBytes: try OTLPProtobuf.encodeRequest([Fixtures.producer]))
        var resource = request.resourceSpans[0]
        var span = resource.scopeSpans[0].spans[0]
        edit(&span, &resource)
        resource.scopeSpans[0].spans[0] = span
        request.resourceSpans[0] = resource
        return try request.serializedBytes()
    }

    static func attribute(_ key: String, _ value: OTLPAnyValue) -> OTLPKeyValue {
        var kv = OTLPKeyValue()
        kv.key = key
        kv.value = value
        return kv
    }

    @Test("what the model stores as a rendering, or protobuf merges, goes to the general path")
    func unusualRequestsAreDeclined() throws {
        var bytesValue = OTLPAnyValue()
        bytesValue.bytesValue = Data([1, 2, 3])
        var list = OTLPAnyValue()
        list.kvlistValue = Opentelemetry_Proto_Common_V1_KeyValueList()
        var mixed = OTLPAnyValue()
        var one = OTLPAnyValue()
        one.intValue = 1
        var text = OTLPAnyValue()
        text.stringValue = "x"
        mixed.arrayValue = OTLPArrayValue()
        mixed.arrayValue.values = [one, text]
        var numericService = OTLPAnyValue()
        numericService.intValue = 7
        let requests = [
            try Self.unusual { span, _ in span.attributes.append(Self.attribute("bytes", bytesValue)) },
            try Self.unusual { span, _ in span.attributes.append(Self.attribute("list", list)) },
            try Self.unusual { span, _ in span.attributes.append(Self.attribute("mixed", mixed)) },
            try Self.unusual { _, resource in resource.resource.attributes.append(Self.attribute(MessagingKey.serviceName, numericService)) },
        ]
        for bytes in requests {
            #expect(OTLPDirectDecoder.decode(bytes) == nil)
            _ = try OTLPProtobuf.decodeRequest(bytes)  // the general path decodes it
        }
        // A singular message given twice on the wire (protobuf merges the two): the status.
        let request = try OTLPExportRequest(serializedBytes: try OTLPProtobuf.encodeRequest([Fixtures.consumer]))
        let span = request.resourceSpans[0].scopeSpans[0].spans[0]
        var second = OTLPStatus()
        second.message = "second"
        let spanBytes: [UInt8] = try span.serializedBytes() + Self.field(15, try second.serializedBytes())
        let twice = Self.field(1, Self.field(2, Self.field(2, spanBytes)))
        #expect(OTLPDirectDecoder.decode(twice) == nil)
        let merged = try OTLPProtobuf.decodeRequest(twice).spans[0]
        #expect(merged.statusMessage == "second" && merged.statusCode == .error, "merged: the message from the second, the code from the first")
    }

    /// A length-delimited field on the wire.
    static func field(_ number: UInt8, _ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [number << 3 | 2]
        var length = bytes.count
        while length >= 0x80 {
            out.append(UInt8(length & 0x7F) | 0x80)
            length >>= 7
        }
        out.append(UInt8(length))
        return out + bytes
    }

    @Test("invalid UTF-8 in a string field the model does not keep is still refused, as SwiftProtobuf refuses it")
    func invalidUTF8IsRefused() throws {
        var scope = OTLPScopeSpans()
        scope.scope.version = "v1"
        var request = OTLPExportRequest()
        var resourceSpans = OTLPResourceSpans()
        resourceSpans.scopeSpans = [scope]
        request.resourceSpans = [resourceSpans]
        var bytes: [UInt8] = try request.serializedBytes()
        let version = try #require(bytes.firstIndex(of: UInt8(ascii: "v")))
        bytes[version] = 0xFF
        #expect(OTLPDirectDecoder.decode(bytes) == nil)
        #expect(throws: OTLPDecodingError.self) { try OTLPProtobuf.decodeRequest(bytes) }
    }
}
