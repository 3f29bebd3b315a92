import ChoreoModel
import Testing

@testable import ChoreoInstrumentation

@Suite("MessageMetadata")
struct MessageMetadataTests {
    @Test("reads every field; absent and empty headers are nil")
    func fields() {
        let full = MessageMetadata(headers: [
            "id": "m-1", "type": "OrderPlaced", "source": "checkout", "correlationid": "c-1",
            "causationid": "m-0", "compensates": "m-9", "traceparent": "ignored",
        ])
        #expect(full.id == "m-1" && full.type == "OrderPlaced" && full.source == "checkout")
        #expect(full.correlationID == "c-1" && full.causationID == "m-0" && full.compensates == "m-9")

        let empty = MessageMetadata(headers: ["id": "", "type": "", "correlationid": "", "other": "x"])
        #expect(empty == MessageMetadata(headers: [:]))
        #expect(empty.id == nil && empty.type == nil && empty.correlationID == nil && empty.causationID == nil)
    }

    @Test("notes a trace context header, even an empty one, and only those")
    func traceContext() {
        #expect(MessageMetadata(headers: ["traceparent": "00-x"]).carriesTraceContext)
        #expect(MessageMetadata(headers: ["tracestate": ""]).carriesTraceContext)
        #expect(!MessageMetadata(headers: ["id": "m", "baggage": "k=v", "Traceparent": "00-x"]).carriesTraceContext)
    }

    @Test(
        "of several aliases the first in the alias list wins, an empty one is skipped",
        arguments: [
            (["x-correlation-id": "c", "correlation-id": "b", "correlationid": "a"], "a"),
            (["x-correlation-id": "c", "correlation-id": "b"], "b"),
            (["x-correlation-id": "c", "correlation-id": "", "correlationid": ""], "c"),
            (["Correlationid": "upper"], nil),
        ] as [([String: String], String?)]
    )
    func correlationAliases(headers: [String: String], expected: String?) {
        #expect(MessageMetadata(headers: headers).correlationID == expected)
    }

    @Test("causation aliases: causationid before causation-id, whatever the dictionary's order")
    func causationAliases() {
        for extra in 0..<50 {
            // Different sizes give different dictionary iteration orders.
            var headers = ["causation-id": "second", "causationid": "first"]
            for index in 0..<extra { headers["h\(index)"] = "v" }
            #expect(MessageMetadata(headers: headers).causationID == "first")
        }
        #expect(MessageMetadata(headers: ["causation-id": "only"]).causationID == "only")
    }

    @Test("equals lookups of each name in alias order, over 2,000 random header sets")
    func matchesLookups() {
        let known =
            [
                "id", "type", "source", "compensates", "traceparent", "tracestate", "baggage",
            ] + MessageHeader.correlationIDAliases + MessageHeader.causationIDAliases
        let others = ["Id", "TYPE", "Traceparent", "BAGGAGE", "x-thing", "X-Thing", "idx", "", "sourcé", "x-correlation-idd"]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var headers: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...8, using: &random) {
                let name = Bool.random(using: &random) ? known.randomElement(using: &random)! : others.randomElement(using: &random)!
                headers[name] = ["", "v", "0123456789abcdef-42"].randomElement(using: &random)!
            }
            func first(_ names: [String]) -> String? {
                names.lazy.compactMap { headers[$0] }.first { !$0.isEmpty }
            }
            let metadata = MessageMetadata(headers: headers)
            #expect(metadata.id == first(["id"]) && metadata.type == first(["type"]), "\(headers)")
            #expect(metadata.source == first(["source"]) && metadata.compensates == first(["compensates"]), "\(headers)")
            #expect(metadata.correlationID == first(MessageHeader.correlationIDAliases), "\(headers)")
            #expect(metadata.causationID == first(MessageHeader.causationIDAliases), "\(headers)")
            #expect(metadata.traceparent == headers["traceparent"] && metadata.tracestate == headers["tracestate"], "\(headers)")
            #expect(metadata.baggage == headers["baggage"], "\(headers)")
            #expect(metadata.carriesTraceContext == (headers["traceparent"] != nil || headers["tracestate"] != nil), "\(headers)")
            // Only a name that could equal a trace-context name once lower-cased is noted.
            let couldFold = headers.keys.contains { name in
                name != name.lowercased() && ["traceparent", "tracestate", "baggage"].contains { $0.utf8.count == name.utf8.count }
            }
            #expect(metadata.hasUpperCaseName == couldFold, "\(headers)")
        }
    }
}
