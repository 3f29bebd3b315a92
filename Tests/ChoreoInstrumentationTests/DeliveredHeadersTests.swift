import ChoreoModel
import Testing

@testable import ChoreoInstrumentation

/// The extractor TracedBus hands the instrument on delivery answers exactly what
/// `HeaderExtractor` answers from the same headers, using the values the metadata walk found.
@Suite("DeliveredHeaderExtractor")
struct DeliveredHeadersTests {
    static let headerSets: [[String: String]] = [
        [:],
        ["traceparent": "00-a", "tracestate": "k=v", "baggage": "b=1", "id": "m"],
        ["traceparent": "", "tracestate": ""],
        ["Traceparent": "upper", "TRACESTATE": "k=v", "BaggagE": "b=2"],
        ["traceparent": "exact", "Traceparent": "upper"],
        ["x-Other": "1", "tracestate": "k=v"],
        ["Other": "1", "correlationid": "c"],
        ["other": "x", "Correlation-Id": "c", "type": "T"],
    ]

    @Test("same answers as HeaderExtractor for trace-context keys, upper-case names and other keys", arguments: headerSets)
    func sameAsHeaderExtractor(headers: [String: String]) {
        let delivered = DeliveredHeaders(headers: headers, metadata: MessageMetadata(headers: headers))
        for key in ["traceparent", "tracestate", "baggage", "other", "Other", "correlationid", "TraceParent"] {
            let expected = HeaderExtractor().extract(key: key, from: headers)
            #expect(DeliveredHeaderExtractor().extract(key: key, from: delivered) == expected, "key \(key) of \(headers)")
        }
    }

    @Test("the walk keeps the exact trace-context values and notes upper-case names")
    func walk() {
        let metadata = MessageMetadata(headers: ["traceparent": "t", "tracestate": "", "baggage": "b", "id": "m"])
        #expect(metadata.traceparent == "t" && metadata.tracestate == "" && metadata.baggage == "b")
        #expect(!metadata.hasUpperCaseName)
        #expect(MessageMetadata(headers: ["X-Thing": "1"]).hasUpperCaseName)
    }
}
