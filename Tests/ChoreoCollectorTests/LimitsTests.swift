import ChoreoCollector
import ChoreoModel
import ChoreoOTLP
import ChoreoStore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Ingest limits")
struct LimitsTests {
    let trace = TraceID(high: 0x11, low: 0x22)

    @Test(
        "a request over --max-spans-per-request gets 413 naming the limit; one at the limit is stored",
        arguments: [
            (5, 5, true), (5, 6, false), (1, 2, false), (10_000, 10, true),
        ])
    func spansPerRequest(limit: Int, count: Int, accepted: Bool) async throws {
        let harness = IngestHarness { $0.maxSpansPerRequest = limit }
        try await harness.application.test(.router) { client in
            let answer = try await client.ingestJSON(Fixtures.spans(count, trace: trace))
            if accepted {
                #expect(answer.status == .ok)
            } else {
                #expect(answer.status == .contentTooLarge)
                #expect(answer.message?.contains("--max-spans-per-request") == true, "the message names the flag")
                #expect(answer.message?.contains("more than \(limit) spans") == true, "and the limit")
                #expect(answer.retryAfter == nil, "a 413 is final")
            }
        }
        #expect(try await harness.store.spanCount() == (accepted ? count : 0))
        #expect(harness.app.rejections.value(.tooManySpans) == (accepted ? 0 : 1), "too_many_spans counts requests")
    }

    @Test("invalid spans count towards the per-request limit")
    func invalidSpansCount() async throws {
        let harness = IngestHarness { $0.maxSpansPerRequest = 3 }
        var spans = Fixtures.spans(4, trace: trace)
        spans[0].traceID = TraceID(high: 0, low: 0)
        let request = spans
        try await harness.application.test(.router) { client in
            let answer = try await client.ingestJSON(request)
            #expect(answer.status == .contentTooLarge)
        }
        #expect(try await harness.store.spanCount() == 0)
    }

    @Test("long string values are cut to --max-attribute-length, listed in choreo.truncated and counted")
    func truncation() async throws {
        let harness = IngestHarness { $0.maxAttributeBytes = 16 }
        var span = Fixtures.spans(1, trace: trace)[0]
        span.attributes["http.url"] = .string(String(repeating: "u", count: 40))
        span.attributes["tags"] = .stringArray(["short", String(repeating: "t", count: 17)])
        span.attributes["exact"] = .string(String(repeating: "e", count: 16))
        span.attributes["number"] = .int(12_345_678_901_234_567)
        span.resourceAttributes["host.description"] = .string(String(repeating: "h", count: 17))
        span.events = [
            SpanEvent(name: "exception", timeUnixNano: Fixtures.t0, attributes: ["exception.stacktrace": .string(String(repeating: "s", count: 100))])
        ]
        let untouched = Fixtures.spans(2, trace: trace)[1]
        let body = try OTLPProtobuf.encodeRequest([span, untouched])
        try await harness.application.test(.router) { client in
            let answer = try await client.ingest(body)
            #expect(answer.status == .ok)
        }
        let stored = try await harness.store.spans(traceID: trace)
        let cut = try #require(stored.first { $0.spanID == span.spanID })
        #expect(cut.attributes["http.url"] == .string(String(repeating: "u", count: 16)))
        #expect(cut.attributes["tags"] == .stringArray(["short", String(repeating: "t", count: 16)]))
        #expect(cut.attributes["exact"] == span.attributes["exact"], "a value at the limit is kept whole")
        #expect(cut.attributes["number"] == span.attributes["number"])
        #expect(cut.resourceAttributes["host.description"] == .string(String(repeating: "h", count: 16)))
        #expect(cut.events.first?.attributes["exception.stacktrace"]?.stringValue?.utf8.count == 16)
        #expect(cut.attributes[IngestLimits.truncatedKey] == .stringArray(["event:exception.stacktrace", "http.url", "resource:host.description", "tags"]))
        let other = try #require(stored.first { $0.spanID == untouched.spanID })
        #expect(other.attributes[IngestLimits.truncatedKey] == nil, "a span with nothing cut is not flagged")
        #expect(other == untouched)
        let metrics = try await harness.application.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
        }
        #expect(metrics.contains("choreo_collector_truncated_attributes_total 4"))
    }

    @Test(
        "truncation never splits a UTF-8 character",
        arguments: [
            ("héllo wörld", 2, "h"), ("héllo wörld", 3, "hé"), ("日本語テキスト", 7, "日本"), ("🎉🎉", 5, "🎉"), ("🎉🎉", 3, ""), ("abc", 0, ""),
        ])
    func characterBoundary(text: String, limit: Int, expected: String) {
        var spans = [SpanRecord(traceID: trace, spanID: SpanID(1), name: "", startTimeUnixNano: 1, endTimeUnixNano: 2, attributes: ["k": .string(text)])]
        spans[0].serviceName = ""
        let cut = IngestLimits(maxAttributeBytes: limit).truncateAttributes(&spans)
        #expect(cut == 1)
        #expect(spans[0].attributes["k"] == .string(expected))
        #expect(spans[0].attributes["k"]!.stringValue!.utf8.count <= limit)
    }

    @Test("span name, service.name, scope name, status message and event names are bounded like attributes")
    func namesAreBounded() async throws {
        let harness = IngestHarness { $0.maxAttributeBytes = 16 }
        var span = Fixtures.spans(1, trace: trace)[0]
        span.name = String(repeating: "n", count: 1000)
        span.serviceName = String(repeating: "s", count: 1000)
        span.scopeName = String(repeating: "c", count: 17)
        span.statusCode = .error
        span.statusMessage = String(repeating: "m", count: 500)
        span.events = [SpanEvent(name: String(repeating: "e", count: 40), timeUnixNano: Fixtures.t0, attributes: [:])]
        let body = try OTLPProtobuf.encodeRequest([span])
        try await harness.application.test(.router) { client in
            let answer = try await client.ingest(body)
            #expect(answer.status == .ok)
        }
        let stored = try #require(try await harness.store.spans(traceID: trace).first)
        #expect(stored.name == String(repeating: "n", count: 16))
        #expect(stored.serviceName == String(repeating: "s", count: 16))
        #expect(stored.scopeName == String(repeating: "c", count: 16))
        #expect(stored.statusMessage == String(repeating: "m", count: 16))
        #expect(stored.events.first?.name == String(repeating: "e", count: 16))
        #expect(
            stored.attributes[IngestLimits.truncatedKey]
                == .stringArray(
                    ["event.name", "resource:service.name", "scope.name", "span.name", "status.message"]))
    }
}
