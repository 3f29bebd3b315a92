import Foundation
import Testing

/// The flow list's alerting figures in headless Chromium: stuck and failed counts, and how long
/// the oldest stuck flow has made no progress, all shown as text.
@Suite(
    "Dashboard stuck and failed counts", .serialized, .timeLimit(.minutes(5)),
    .enabled(if: Chromium.installed != nil, "headless Chromium is not installed (apt-get install -y chromium): dashboard browser tests skipped")
)
struct DashboardStuckAgeTests {
    static let hostileID = "<img src=x onerror=alert(1)>"

    @Test("the flow list shows the stuck and failed counts and the oldest stuck flow's age; a hostile correlation id stays text")
    func stuckAgeShown() async throws {
        let chromium = try #require(Chromium.installed)
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let base = try await harness.startCollector(["--stuck-after", "2", "--stuck-floor", "1"], db: "c.sqlite")

        // Two unconsumed publishes 30 s and 10 s ago (both stuck; the older one is hostile), and
        // a delivery that failed for good (a failed flow).
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        let span = { (n: UInt64, flow: String, kind: Int, operation: String, at: UInt64) in
            OTLPJSON.Span(
                traceID: OTLPJSON.hex(0x57c0 + n, digits: 32), spanID: OTLPJSON.hex(n, digits: 16), name: "\(operation) orders", kind: kind,
                startNanos: at, endNanos: at + 1_000_000,
                attributes: [
                    "messaging.message.id": "msg-\(n)", "messaging.message.conversation_id": flow, "choreo.event_type": "OrderPlaced",
                    "messaging.operation.type": operation,
                ])
        }
        var failed = span(3, "failed-order", 5, "process", now - 5_000_000_000)
        failed.attributes["choreo.delivery.outcome"] = "dead_lettered"
        failed.attributes["messaging.message.id"] = "msg-4"  // the delivery of the publish below
        let spans = [
            span(1, Self.hostileID, 4, "send", now - 30_000_000_000), span(2, "stuck-order", 4, "send", now - 10_000_000_000),
            span(4, "failed-order", 4, "send", now - 6_000_000_000), failed,
        ]
        var body = try JSONSerialization.jsonObject(with: OTLPJSON.request(service: "checkout", spans: spans)) as? [String: Any]
        body = try Self.markError(body, spanID: OTLPJSON.hex(3, digits: 16))
        #expect(try await DashboardHTTP.postJSON("\(base)/v1/traces", JSONSerialization.data(withJSONObject: body as Any)) == 200)

        // Poll the API (not the page) until the index has judged every flow.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var stats: [String: Int] = [:]
        while clock.now < deadline {
            let answer = try await DashboardHTTP.get("\(base)/api/v1/flows/stats")
            let object = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
            stats = object?["by_status"] as? [String: Int] ?? [:]
            if stats["stuck"] == 2 && stats["failed"] == 1 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        try #require(stats["stuck"] == 2 && stats["failed"] == 1, "the index never judged the flows: \(stats)\n\(harness.log("choreo-collector"))")

        let html = try chromium.dumpDOM("\(base)/#/flows?window=all", workDir: harness.workDir)
        let dom = HTMLTags(html)
        let count = { (status: String) in dom.tags.first { $0.hasClass("count") && $0.attributes["data-status"] == status }?.attributes["data-count"] }
        #expect(count("stuck") == "2")
        #expect(count("failed") == "1")
        let oldest = try #require(dom.tags.first { $0.hasClass("oldest-stuck") }, "no oldest-stuck figure in the flow list")
        let ageMs = try #require(oldest.attributes["data-age-ms"].flatMap(Double.init), "\(oldest.attributes)")
        #expect(ageMs >= 30_000 && ageMs < 120_000, "the oldest stuck flow went quiet 30 s before the load, not \(ageMs) ms")
        // The serialised DOM escapes the id in the attribute: it was set as text, not parsed.
        #expect(oldest.attributes["title"] == "oldest stuck flow: &lt;img src=x onerror=alert(1)&gt;")
        #expect(html.contains("oldest stuck: quiet"))
        #expect(dom.all("img").isEmpty, "the hostile correlation id became an element")
        #expect(dom.eventHandlerAttributes.isEmpty, "event handler attributes: \(dom.eventHandlerAttributes)")
    }

    /// Sets an error status on one span of an OTLP/JSON request object.
    static func markError(_ body: [String: Any]?, spanID: String) throws -> [String: Any] {
        var body = try #require(body)
        var resources = try #require(body["resourceSpans"] as? [[String: Any]])
        var scopes = try #require(resources[0]["scopeSpans"] as? [[String: Any]])
        var spans = try #require(scopes[0]["spans"] as? [[String: Any]])
        for i in spans.indices where spans[i]["spanId"] as? String == spanID { spans[i]["status"] = ["code": 2, "message": "card service down"] }
        scopes[0]["spans"] = spans
        resources[0]["scopeSpans"] = scopes
        body["resourceSpans"] = resources
        return body
    }
}
