import ChoreoModel
import Foundation
import Testing

@testable import ChoreoFlows

/// The direct JSON reader (``Flow/init(jsonBytes:)``, what `choreo flows show` decodes a flow of
/// 100,000 steps with) gives the same flow as `JSONDecoder` on many random flows, compact and
/// pretty-printed, with unknown keys, and refuses what `JSONDecoder` refuses.
@Suite struct FlowJSONReaderTests {
    typealias Random = FlowJSONWriterTests

    static func decoded(_ bytes: [UInt8]) -> Flow? { try? JSONDecoder().decode(Flow.self, from: Data(bytes)) }

    @Test func sameFlowAsJSONDecoderOnManyFlows() throws {
        var r = Random.Seeded(state: 4242)
        let pretty = JSONEncoder()
        pretty.outputFormatting = [.prettyPrinted]  // whitespace everywhere, slashes escaped as \/
        for round in 0..<300 {
            let flow = Random.flow(&r, steps: Int.random(in: 0...5, using: &r))
            for bytes in [flow.jsonBytes(), Array(try pretty.encode(flow))] {
                let expected = try #require(Self.decoded(bytes))
                let read = Flow(jsonBytes: bytes)
                #expect(read == expected, "flow \(round): \(String(decoding: bytes, as: UTF8.self))")
                if read != expected { return }
            }
        }
    }

    @Test func unknownKeysAreSkippedAtAnyDepth() throws {
        var r = Random.Seeded(state: 7)
        let flow = Random.flow(&r, steps: 3)
        var text = String(decoding: flow.jsonBytes(), as: UTF8.self)
        let extra = #""future":{"a":[1,-2.5e3,{"b":[[],{}]},"x\"]}",true,false,null],"c":{}},"#
        text = "{" + extra + text.dropFirst()
        text = text.replacingOccurrences(of: "{\"adjusted_by_ms\"", with: "{\"later\":[[[[0]]]],\"adjusted_by_ms\"")
        let bytes = Array(text.utf8)
        let expected = try #require(Self.decoded(bytes))
        #expect(Flow(jsonBytes: bytes) == expected)
    }

    @Test func whatJSONDecoderRefusesIsRefused() throws {
        var r = Random.Seeded(state: 8)
        let flow = Random.flow(&r, steps: 2)
        let good = String(decoding: flow.jsonBytes(), as: UTF8.self)
        let broken = [
            String(good.dropLast()),  // truncated
            good + "x",  // trailing garbage
            good.replacingOccurrences(of: "\"status\":", with: "\"status_was\":"),  // required key missing
            good.replacingOccurrences(of: "\"status\":\"\(flow.status.rawValue)\"", with: "\"status\":\"sideways\""),
            good.replacingOccurrences(of: "\"gaps\":\(flow.gaps)", with: "\"gaps\":1.5"),
            good.replacingOccurrences(of: "\"gaps\":\(flow.gaps)", with: "\"gaps\":01"),
            good.replacingOccurrences(of: "\"correlation_id\":", with: "\"correlation_id\":null,\"x\":"),
            "[]", "", "{\"correlation_id\":\"\\ud800\"}",
        ]
        for text in broken {
            #expect(Self.decoded(Array(text.utf8)) == nil, "JSONDecoder took \(text.prefix(80))")
            #expect(Flow(jsonBytes: Array(text.utf8)) == nil, "the reader took \(text.prefix(80))")
        }
    }

    @Test func escapesAndSurrogatePairsDecodeAsJSONDecoderDecodesThem() throws {
        let text =
            #"{"correlation_id":"a\u00e9\ud83d\ude00\/\n\"","status":"completed","started_at":"2024-01-01T00:00:00Z","ended_at":"2024-01-01T00:00:01.5+01:00"}"#
        let expected = try #require(Self.decoded(Array(text.utf8)))
        #expect(Flow(jsonBytes: Array(text.utf8)) == expected)
        #expect(expected.correlationID == "aé😀/\n\"")
    }
}
