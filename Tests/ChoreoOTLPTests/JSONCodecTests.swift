import ChoreoModel
@testable import ChoreoOTLP
import Foundation
import Testing

@Suite("OTLP/JSON codec")
struct JSONCodecTests {
    /// The example of the OTLP repository (examples/trace.json): upper-case hex ids, int enum,
    /// string nanoseconds, a scope with version and attributes.
    static let specExample = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"my.service"}}]},
        "scopeSpans":[{"scope":{"name":"my.library","version":"1.0.0","attributes":[{"key":"my.scope.attribute",
        "value":{"stringValue":"some scope attribute"}}]},"spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C",
        "spanId":"EEE19B7EC3C1B174","parentSpanId":"EEE19B7EC3C1B173","name":"I'm a server span",
        "startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000","kind":2,
        "attributes":[{"key":"my.span.attr","value":{"stringValue":"some value"}}]}]}]}]}
        """

    @Test("decodes the OTLP spec's JSON example with hex ids")
    func specSample() throws {
        let decoded = try OTLPJSON.decodeRequest(Array(Self.specExample.utf8))
        #expect(decoded.rejectedSpans == 0)
        let span = try #require(decoded.spans.first)
        #expect(span.traceID.hex == "5b8efff798038103d269b633813fc60c")
        #expect(span.spanID.hex == "eee19b7ec3c1b174")
        #expect(span.parentSpanID?.hex == "eee19b7ec3c1b173")
        #expect(span.kind == .server)
        #expect(span.name == "I'm a server span")
        #expect(span.startTimeUnixNano == 1_544_712_660_000_000_000)
        #expect(span.endTimeUnixNano == 1_544_712_661_000_000_000)
        #expect(span.serviceName == "my.service")
        #expect(span.scopeName == "my.library")
        #expect(span.attributes == ["my.span.attr": .string("some value")])
    }

    @Test("accepts snake_case keys, enum names, numeric int64s, base64 ids and unknown fields")
    func lenientInput() throws {
        let json = """
            {"resource_spans":[{"resource":{"attributes":[{"key":"service.name","value":{"string_value":"svc"}}]},
             "scope_spans":[{"spans":[{"trace_id":"W47/95gDgQPSabYzgT/GDA==","span_id":"7uGbfsPBsXQ=",
             "name":"n","kind":"SPAN_KIND_PRODUCER","start_time_unix_nano":1544712660000000000,
             "end_time_unix_nano":"1544712661000000000","status":{"code":"STATUS_CODE_ERROR","message":"boom"},
             "attributes":[{"key":"n","value":{"intValue":7}},{"key":"d","value":{"doubleValue":"1.5"}}],
             "flags":257,"somethingNew":{"x":1}}]}]}]}
            """
        let span = try #require(try OTLPJSON.decodeRequest(Array(json.utf8)).spans.first)
        #expect(span.traceID.hex == "5b8efff798038103d269b633813fc60c")
        #expect(span.spanID.hex == "eee19b7ec3c1b174")
        #expect(span.parentSpanID == nil)
        #expect(span.kind == .producer)
        #expect(span.statusCode == .error)
        #expect(span.statusMessage == "boom")
        #expect(span.attributes == ["n": .int(7), "d": .double(1.5)])
        #expect(span.startTimeUnixNano == 1_544_712_660_000_000_000)
    }

    @Test("a producer and its consumer round-trip with every field")
    func roundTrip() throws {
        let spans = [Fixtures.producer, Fixtures.consumer]
        let decoded = try OTLPJSON.decodeRequest(try OTLPJSON.encodeRequest(spans))
        #expect(decoded.rejectedSpans == 0)
        #expect(decoded.spans == spans)
    }

    @Test("many spans round-trip through JSON", arguments: [1, 250])
    func manySpans(_ count: Int) throws {
        let spans = Fixtures.many(count, seed: 77)
        #expect(Set(try OTLPJSON.decodeRequest(try OTLPJSON.encodeRequest(spans)).spans) == Set(spans))
    }

    @Test("the output has lower-case hex ids, integer enums and lowerCamelCase keys")
    func outputShape() throws {
        let bytes = try OTLPJSON.encodeRequest([Fixtures.consumer])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let resourceSpans = try #require((root["resourceSpans"] as? [[String: Any]])?.first)
        let scopeSpans = try #require((resourceSpans["scopeSpans"] as? [[String: Any]])?.first)
        let span = try #require((scopeSpans["spans"] as? [[String: Any]])?.first)
        #expect(span["traceId"] as? String == Fixtures.traceID.hex)
        #expect(span["spanId"] as? String == Fixtures.consumerID.hex)
        #expect(span["parentSpanId"] as? String == Fixtures.producerID.hex)
        #expect(span["kind"] as? Int == 5)
        #expect((span["status"] as? [String: Any])?["code"] as? Int == 2)
        let link = try #require((span["links"] as? [[String: Any]])?.first)
        #expect(link["traceId"] as? String == Fixtures.traceID.hex)
        #expect(link["spanId"] as? String == Fixtures.producerID.hex)
        #expect(span["startTimeUnixNano"] != nil)
        #expect(span["start_time_unix_nano"] == nil)
    }

    @Test("raw messages from JSON carry binary ids, so they re-encode as protobuf")
    func messageIDsAreBinary() throws {
        let message = try OTLPJSON.decodeRequestMessage(Array(Self.specExample.utf8))
        let span = try #require(message.resourceSpans.first?.scopeSpans.first?.spans.first)
        #expect(span.traceID.count == 16)
        #expect(span.spanID.count == 8)
        let viaProtobuf = try OTLPProtobuf.decodeRequest(try OTLPProtobuf.encodeRequestMessage(message))
        #expect(viaProtobuf.spans.first?.traceID.hex == "5b8efff798038103d269b633813fc60c")
    }

    @Test("ids of the wrong length in JSON reject the span, not the request")
    func wrongLengthIDs() throws {
        let json = """
            {"resourceSpans":[{"scopeSpans":[{"spans":[
              {"traceId":"5b8efff798038103d269b633813fc6","spanId":"eee19b7ec3c1b174","name":"short trace"},
              {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"ok"}]}]}]}
            """
        let decoded = try OTLPJSON.decodeRequest(Array(json.utf8))
        #expect(decoded.spans.map(\.name) == ["ok"])
        #expect(decoded.rejectedSpans == 1)
        #expect(decoded.rejectionReason?.contains("short trace") == true)
    }

    @Test(
        "invalid JSON is malformedJSON",
        arguments: [
            "", "{", "[]", "{\"resourceSpans\":5}", "not json", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"%%\"}]}]}]}",
            "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"kind\":\"SPAN_KIND_NOPE\",\"name\":5}]}]}]}",
        ])
    func malformed(_ text: String) {
        #expect {
            try OTLPJSON.decodeRequest(Array(text.utf8))
        } throws: { error in
            (error as? OTLPDecodingError)?.code == .malformedJSON
        }
    }

    @Test("the hex bridge maps every id exactly in both directions")
    func hexBridge() throws {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<200 {
            let trace = TraceID(high: rng.next(), low: rng.next())
            let span = SpanID(rng.next())
            #expect(OTLPHexIDs.fromJSON(OTLPHexIDs.toJSON(trace.bytes.data), idBytes: 16) == trace.bytes.data)
            #expect(OTLPHexIDs.fromJSON(OTLPHexIDs.toJSON(span.bytes.data), idBytes: 8) == span.bytes.data)
            #expect(OTLPHexIDs.toJSON(trace.bytes.data).base64EncodedString() == trace.hex)
        }
    }
}
