import ChoreoModel
import ChoreoOTLP
import ChoreoServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import ChoreoAgent

@Suite("--collector-header")
struct CollectorHeaderTests {
    @Test("each header goes on every forwarded request, beside the agent's own and the collector token")
    func sentUpstream() async throws {
        let seen = Mutex<[HTTPFields]>([])
        let router = Router()
        router.post("/v1/traces") { request, _ -> HTTPResponse.Status in
            seen.withLock { $0.append(request.headers) }
            return .ok
        }
        try await Application(router: router).test(.live) { client in
            let port = try #require(client.port)
            var c = AgentConfiguration(collectorURL: "http://127.0.0.1:\(port)")
            c.collectorHeaders = try CollectorHeaders.parse(
                ["X-Scope-OrgID=tenant-7", "X-Empty=", "X-Spaced=  a  b\t"], hasCollectorToken: true)
            c.collectorToken = try AccessToken("collector-token-9")
            // The sender the agent builds from its configuration, as choreo-agent does.
            let sender = AgentApp<ContinuousClock>.sender(c, logger: Logger(label: "t"))
            let body = Gzip.compress(try OTLPProtobuf.encodeRequest(ForwarderTests.spans(2)))
            for _ in 0..<2 {
                let result = await sender.send(body)
                #expect(result == .accepted)
            }
            await sender.shutdown()
        }
        let requests = seen.withLock { $0 }
        #expect(requests.count == 2)
        for headers in requests {
            #expect(headers[HTTPField.Name("X-Scope-OrgID")!] == "tenant-7")
            #expect(headers[HTTPField.Name("X-Empty")!] == "")
            #expect(headers[HTTPField.Name("X-Spaced")!] == "a  b")
            #expect(headers[.authorization] == "Bearer collector-token-9")
            #expect(headers[.contentType] == OTLPHTTP.protobufContentType)
            #expect(headers[.contentEncoding] == "gzip")
        }
    }

    @Test("Authorization may be given when no collector token sets it")
    func authorizationWithoutToken() throws {
        let headers = try CollectorHeaders.parse(["Authorization=Basic dXNlcjpwdw=="], hasCollectorToken: false)
        #expect(AgentConfiguration(collectorHeaders: headers).forwardingHeaders == ["Authorization": "Basic dXNlcjpwdw=="])
    }

    @Test(
        "a header that cannot be sent as given is refused at start-up, naming the flag",
        arguments: [
            (["X-Tenant"], CollectorHeaderError.Code.malformed),
            (["=v"], .invalidName),
            (["X Tenant=v"], .invalidName),
            (["X-Tenant:=v"], .invalidName),
            (["X-Tenant=a\r\nX-Injected: 1"], .invalidValue),
            (["X-Tenant=a\nb"], .invalidValue),
            (["X-Tenant=a\u{0}b"], .invalidValue),
            (["content-type=text/plain"], .reserved),
            (["Content-Encoding=identity"], .reserved),
            (["Host=evil"], .reserved),
            (["Authorization=Bearer other"], .conflictsWithToken),
            (["X-Tenant=a", "x-tenant=b"], .duplicate),
        ])
    func refused(arguments: [String], code: CollectorHeaderError.Code) {
        let error = #expect(throws: CollectorHeaderError.self) {
            try CollectorHeaders.parse(arguments, hasCollectorToken: true)
        }
        #expect(error?.code == code)
        #expect(error?.message.hasPrefix("--collector-header") == true)
        #expect(error?.message.contains("\n") == false, "one line, the refused value escaped")
    }
}
