import ChoreoCollector
import ChoreoModel
import ChoreoServer
import Testing

@Suite("Loopback decided by the resolved address")
struct LoopbackResolutionTests {
    @Test(
        "hosts are loopback only when every address they resolve to is",
        arguments: [
            ("127.0.0.1", true), ("127.0.0.2", true), ("localhost", true), ("::1", true), ("0x7f.1", true),
            ("2130706433", true), ("::ffff:127.0.0.1", true),
            ("127.evil.example.com", false), ("127.0.0.1.nip.invalid", false), ("0.0.0.0", false), ("::", false),
            ("10.1.2.3", false), ("::ffff:10.0.0.1", false), ("", false),
        ] as [(String, Bool)])
    func resolvedHosts(host: String, loopback: Bool) {
        let address = ListenAddress(host: host, port: 4320)
        #expect(address.isLoopback == loopback, "\(host) resolves to \(ListenAddress.resolve(host))")
    }

    @Test("a name resolving to loopback and to another address is not loopback")
    func mixedResolution() {
        let address = ListenAddress(host: "mixed.example", port: 4320)
        let mixed: ListenAddress.Resolver = { _ in [IPAddress(v4: 127, 0, 0, 1), IPAddress(v4: 192, 0, 2, 7)] }
        let onlyLoopback: ListenAddress.Resolver = { _ in [IPAddress(v4: 127, 0, 0, 1), IPAddress(v6: [UInt8](repeating: 0, count: 15) + [1])!] }
        #expect(!address.isLoopback(resolvingWith: mixed))
        #expect(address.isLoopback(resolvingWith: onlyLoopback))
        #expect(!address.isLoopback(resolvingWith: { _ in [] }), "a host that resolves to nothing is not loopback")
    }

    @Test("the exposure checks refuse 127.evil.example.com without tokens, as any other remote host")
    func exposureRefusesLookalike() {
        let collector = CollectorConfiguration(host: "127.evil.example.com")
        #expect(throws: ConfigurationError.self) { try collector.validateExposure(allowInsecure: false) }
        #expect(throws: Never.self) { try CollectorConfiguration(host: "localhost").validateExposure(allowInsecure: false) }
    }
}
