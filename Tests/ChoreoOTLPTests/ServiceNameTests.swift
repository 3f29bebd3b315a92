import ChoreoModel
@testable import ChoreoOTLP
import Testing

@Suite("service.name lifting")
struct ServiceNameTests {
    func span(_ id: UInt64, service: String, attribute: String?) -> SpanRecord {
        var attributes: [String: AttributeValue] = ["x": .int(Int64(id))]
        if let attribute { attributes[MessagingKey.serviceName] = .string(attribute) }
        return SpanRecord(
            traceID: TraceID(high: 1, low: id), spanID: SpanID(id), name: "s\(id)",
            startTimeUnixNano: 1, endTimeUnixNano: 2, attributes: attributes, serviceName: service)
    }

    @Test(
        "a span attribute service.name becomes its resource's service.name and leaves the span",
        arguments: [
            OTLPFormatCase.protobuf, .json,
        ])
    func lifted(_ format: OTLPFormatCase) throws {
        let spans = [
            span(1, service: "host-process", attribute: "payment"),
            span(2, service: "host-process", attribute: "inventory"),
            span(3, service: "host-process", attribute: nil),
        ]
        let bytes = try format.encode(spans)
        let message = try format.decodeMessage(bytes)
        #expect(message.resourceSpans.count == 3)
        for resourceSpans in message.resourceSpans {
            for span in resourceSpans.scopeSpans.flatMap(\.spans) {
                #expect(!span.attributes.contains { $0.key == MessagingKey.serviceName })
            }
        }
        let decoded = try format.decode(bytes)
        #expect(decoded.spans.map(\.serviceName) == ["payment", "inventory", "host-process"])
        #expect(decoded.spans.allSatisfy { $0.attributes[MessagingKey.serviceName] == nil })
        #expect(decoded.spans.map { $0.attributes["x"] } == [.int(1), .int(2), .int(3)])
    }

    @Test("on decode, a span attribute service.name from another tracer overrides the resource's")
    func overrideOnDecode() throws {
        var span = OTLPSpan()
        span.traceID = Fixtures.traceID.bytes.data
        span.spanID = SpanID(5).bytes.data
        span.attributes = [kv("service.name", "shipment"), kv("other", "1")]
        let message = request(resource: [kv("service.name", "monolith")], spans: [span, plainSpan(6)])
        let decoded = OTLPRecordDecoder.decode(message)
        #expect(decoded.spans.map(\.serviceName) == ["shipment", "monolith"])
        #expect(decoded.spans[0].attributes == ["other": .string("1")])
    }

    @Test("a resource without service.name yields unknown_service")
    func unknownService() throws {
        let decoded = OTLPRecordDecoder.decode(request(resource: [kv("host.name", "h")], spans: [plainSpan(1)]))
        #expect(decoded.spans.first?.serviceName == "unknown_service")
        #expect(decoded.spans.first?.resourceAttributes == ["host.name": .string("h")])
    }

    @Test("the resource's service.name is not repeated in resourceAttributes")
    func notRepeated() throws {
        var record = span(1, service: "svc", attribute: nil)
        record.resourceAttributes = ["service.name": .string("stale"), "a": .bool(true)]
        let decoded = try OTLPProtobuf.decodeRequest(try OTLPProtobuf.encodeRequest([record]))
        #expect(decoded.spans.first?.serviceName == "svc")
        #expect(decoded.spans.first?.resourceAttributes == ["a": .bool(true)])
    }
}
