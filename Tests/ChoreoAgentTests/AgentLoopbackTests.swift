import ChoreoAgent
import ChoreoServer
import Testing

@Suite("Agent exposure: loopback decided by the resolved address")
struct AgentLoopbackTests {
    @Test("a receiver on a 127.-looking name that is not loopback needs a token; localhost does not")
    func lookalikeNeedsToken() {
        #expect(throws: ConfigurationError.self) {
            try AgentConfiguration(host: "127.evil.example.com").validateExposure(allowInsecure: false)
        }
        #expect(throws: Never.self) { try AgentConfiguration(host: "localhost").validateExposure(allowInsecure: false) }
        #expect(throws: Never.self) { try AgentConfiguration(host: "127.0.0.9").validateExposure(allowInsecure: false) }
    }
}
