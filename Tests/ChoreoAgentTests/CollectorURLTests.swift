import ChoreoAgent
import Testing

@Suite("Agent --collector URL")
struct CollectorURLTests {
    @Test(
        "a base URL gets /v1/traces; a full traces URL is used as it is",
        arguments: [
            ("http://127.0.0.1:4320", "http://127.0.0.1:4320/v1/traces"),
            ("http://127.0.0.1:4320/", "http://127.0.0.1:4320/v1/traces"),
            ("https://tempo.internal:4318/v1/traces", "https://tempo.internal:4318/v1/traces"),
            ("https://otel.example/v1/traces/", "https://otel.example/v1/traces"),
            ("http://gateway/otlp", "http://gateway/otlp/v1/traces"),
        ])
    func tracesURL(given: String, expected: String) {
        #expect(AgentConfiguration(collectorURL: given).tracesURL == expected)
    }
}

@Suite("Agent --collector given several times")
struct CollectorURLsTests {
    @Test("every collector gets its traces URL; the first stays collectorURL")
    func severalCollectors() {
        var configuration = AgentConfiguration(collectorURL: "http://a:4320")
        configuration.collectorURLs = ["http://a:4320", "http://b:4320/", "http://c:4320/v1/traces"]
        #expect(configuration.tracesURLs == ["http://a:4320/v1/traces", "http://b:4320/v1/traces", "http://c:4320/v1/traces"])
        #expect(configuration.tracesURL == "http://a:4320/v1/traces")
    }
}
