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
}
