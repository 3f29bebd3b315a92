import ChoreoModel
import Testing

@testable import ChoreoCLI

@Suite("CollectorEndpoint")
struct CollectorEndpointTests {
    @Test("the flag wins over CHOREO_COLLECTOR, which wins over the default")
    func precedence() throws {
        let env = ["CHOREO_COLLECTOR": "http://env:1", "CHOREO_TOKEN": "env-token"]
        let fromFlag = try CollectorEndpoint.resolve(collector: "https://flag:2", token: "flag-token", environment: env)
        #expect(fromFlag.baseURL == "https://flag:2")
        #expect(fromFlag.token == "flag-token")
        let fromEnv = try CollectorEndpoint.resolve(collector: nil, token: nil, environment: env)
        #expect(fromEnv.baseURL == "http://env:1")
        #expect(fromEnv.token == "env-token")
        let defaults = try CollectorEndpoint.resolve(collector: nil, token: nil, environment: [:])
        #expect(defaults.baseURL == "http://127.0.0.1:4320")
        #expect(defaults.token == nil)
    }

    @Test("an empty token is no token")
    func emptyToken() throws {
        #expect(try CollectorEndpoint(url: "http://c", token: "").token == nil)
    }

    @Test(
        "URLs that are not http(s)://host are usage errors",
        arguments: [
            "127.0.0.1:4320", "ftp://c", "http://", "http:///path", "http://c?x=1", "", "http://a b",
        ])
    func invalidURL(url: String) {
        let error = #expect(throws: CLIError.self) { try CollectorEndpoint(url: url) }
        #expect(error?.code == .usage)
    }

    @Test("a base path is kept and trailing slashes dropped")
    func basePath() throws {
        let endpoint = try CollectorEndpoint(url: "https://obs.example.com/choreo//")
        #expect(endpoint.traceURL(Fixtures.traceID) == "https://obs.example.com/choreo/api/v1/traces/4bf92f3577b34da6a3ce929d0e0e4736")
    }

    @Test(
        "a correlation id is percent-encoded as one path segment",
        arguments: [
            ("order-42", "order-42"), ("a/b", "a%2Fb"), ("x y?z#", "x%20y%3Fz%23"), ("é", "%C3%A9"), ("..", "%2E%2E"), (".", "%2E"), ("a.b", "a.b"),
            ("a%b", "a%25b"),
        ])
    func correlationIDEncoding(id: String, encoded: String) throws {
        let endpoint = try CollectorEndpoint(url: "http://c")
        #expect(endpoint.flowURL(correlationID: id) == "http://c/api/v1/flows/" + encoded)
    }
}
