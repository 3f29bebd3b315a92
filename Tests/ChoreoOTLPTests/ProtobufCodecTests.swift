import ChoreoModel
@testable import ChoreoOTLP
import Testing

@Suite("OTLP/protobuf codec")
struct ProtobufCodecTests {
    @Test("a producer and its consumer round-trip with every field")
    func roundTrip() throws {
        let spans = [Fixtures.producer, Fixtures.consumer]
        let decoded = try OTLPProtobuf.decodeRequest(try OTLPProtobuf.encodeRequest(spans))
        #expect(decoded.rejectedSpans == 0)
        #expect(decoded.rejectionReason == nil)
        #expect(decoded.spans == spans)
    }

    @Test("many spans round-trip as a set, grouped by resource and scope", arguments: [1, 17, 1000])
    func manySpans(_ count: Int) throws {
        let spans = Fixtures.many(count, seed: UInt64(count))
        let bytes = try OTLPProtobuf.encodeRequest(spans)
        let message = try OTLPProtobuf.decodeRequestMessage(bytes)
        #expect(message.spanCount == count)
        let decoded = try OTLPProtobuf.decodeRequest(bytes)
        #expect(Set(decoded.spans) == Set(spans))
        #expect(decoded.spans.count == count)
    }

    @Test("spans are grouped into one ResourceSpans per service and resource, one ScopeSpans per scope")
    func grouping() throws {
        let spans = Fixtures.many(40, seed: 9)
        let message = try OTLPProtobuf.decodeRequestMessage(try OTLPProtobuf.encodeRequest(spans))
        let resourceKeys = Set(spans.map { "\($0.serviceName)|\($0.resourceAttributes)" })
        #expect(message.resourceSpans.count == resourceKeys.count)
        for resourceSpans in message.resourceSpans {
            let scopeNames = resourceSpans.scopeSpans.map(\.scope.name)
            #expect(Set(scopeNames).count == scopeNames.count)
            let serviceNames = resourceSpans.resource.attributes.filter { $0.key == "service.name" }
            #expect(serviceNames.count == 1)
        }
    }

    @Test("the encoded message carries OTLP kinds, status codes and 16/8-byte ids")
    func wireShape() throws {
        let message = try OTLPProtobuf.decodeRequestMessage(try OTLPProtobuf.encodeRequest([Fixtures.consumer]))
        let span = try #require(message.resourceSpans.first?.scopeSpans.first?.spans.first)
        #expect(span.kind == .consumer)
        #expect(span.status.code == .error)
        #expect(span.traceID.count == 16)
        #expect(span.spanID.count == 8)
        #expect(Array(span.parentSpanID) == Fixtures.producerID.bytes)
        #expect(Array(span.traceID) == Fixtures.traceID.bytes)
        #expect(span.links.count == 2)
        #expect(message.resourceSpans.first?.scopeSpans.first?.scope.name == "choreo.instrumentation")
    }

    @Test("an empty request encodes and decodes to no spans")
    func empty() throws {
        let bytes = try OTLPProtobuf.encodeRequest([])
        #expect(bytes.isEmpty)
        let decoded = try OTLPProtobuf.decodeRequest(bytes)
        #expect(decoded.spans.isEmpty)
        #expect(decoded.rejectedSpans == 0)
    }

    @Test(
        "garbage bytes are malformedProtobuf with the protobuf error text",
        arguments: [
            [0xFF, 0xFF, 0xFF], [0x0A, 0x05, 0x01], Array("{\"resourceSpans\":[]}".utf8), [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
        ] as [[UInt8]])
    func garbage(_ bytes: [UInt8]) {
        #expect {
            try OTLPProtobuf.decodeRequest(bytes)
        } throws: { error in
            guard let error = error as? OTLPDecodingError else { return false }
            return error.code == .malformedProtobuf && error.message.contains("ExportTraceServiceRequest")
        }
    }

    @Test("merged raw messages re-encode to all their spans")
    func mergeMessages() throws {
        var merged = try OTLPProtobuf.decodeRequestMessage(try OTLPProtobuf.encodeRequest([Fixtures.producer]))
        let other = try OTLPProtobuf.decodeRequestMessage(try OTLPProtobuf.encodeRequest([Fixtures.consumer]))
        merged.resourceSpans.append(contentsOf: other.resourceSpans)
        #expect(merged.spanCount == 2)
        let decoded = try OTLPProtobuf.decodeRequest(try OTLPProtobuf.encodeRequestMessage(merged))
        #expect(decoded.spans == [Fixtures.producer, Fixtures.consumer])
    }
}
