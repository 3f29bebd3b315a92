import AsyncHTTPClient
import ChoreoCollector
import ChoreoModel
import ChoreoOTLP
import ChoreoServer
import ChoreoStore
import ChoreoTestSupport
import Foundation
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Testing

/// The real collector server over TLS on a loopback port chosen by the system, with the test
/// CA's server certificate, an in-memory store, and optionally a client CA (mutual TLS).
enum LiveTLSCollector {
    static func run(
        clientCA: String? = nil, store: InMemorySpanStore = InMemorySpanStore(), limits: HTTPServerLimits = HTTPServerLimits(),
        _ body: @Sendable (_ baseURL: String, _ port: Int) async throws -> Void
    ) async throws {
        let pki = try TestCertificates.shared()
        var configuration = CollectorConfiguration(host: "127.0.0.1", port: 0)
        configuration.databasePath = "/nonexistent/choreo-\(UUID().uuidString).sqlite"
        configuration.tls = try ServerTLS.load(certificateFile: pki.serverCertificateFile, keyFile: pki.serverKeyFile, clientCAFile: clientCA)
        let app = CollectorApp(configuration: configuration, store: store, logger: Logger(label: "test"))
        let listening = ListenSignal()
        let group = ServiceGroup(services: [app.makeApplication(limits: limits, onServerRunning: listening.serverRunning)], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await listening.wait()
            let port = try #require(listening.port)
            do {
                try await body("https://127.0.0.1:\(port)", port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

/// An HTTP client with the given TLS; shut down after `body`.
func withTLSClient<T: Sendable>(_ tls: TLSConfiguration?, _ body: (HTTPClient) async throws -> T) async throws -> T {
    var configuration = HTTPClient.Configuration()
    configuration.tlsConfiguration = tls
    configuration.tracing.tracer = nil
    configuration.connectionPool.retryConnectionEstablishment = false
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

extension HTTPClient {
    /// One request; the status and the body.
    func call(_ url: String, post body: [UInt8]? = nil) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        if let body {
            request.method = .POST
            request.headers.add(name: "Content-Type", value: OTLPHTTP.jsonContentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await execute(request, timeout: .seconds(20))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }
}

/// Client TLS trusting the test CA only, optionally presenting a certificate.
func testClientTLS(certificate: String? = nil, key: String? = nil) throws -> TLSConfiguration {
    let pki = try TestCertificates.shared()
    return try #require(
        try ClientTLS.configuration(
            caFile: pki.caFile, certificateFile: certificate, keyFile: key, flags: ("--ca", "--cert", "--key")))
}

@Suite("Collector over TLS", .timeLimit(.minutes(2)))
struct CollectorTLSTests {
    static let trace = TraceID(high: 0x7715, low: 0x7715)

    @Test("ingest and a query over TLS with the test CA: the span posted over HTTPS is read back over HTTPS")
    func ingestAndQuery() async throws {
        let store = InMemorySpanStore()
        try await LiveTLSCollector.run(store: store) { base, _ in
            try await withTLSClient(try testClientTLS()) { client in
                let posted = try await client.call(base + "/v1/traces", post: try OTLPJSON.encodeRequest(Fixtures.spans(3, trace: Self.trace)))
                #expect(posted.status == 200, "\(posted.body)")
                let trace = try await client.call(base + "/api/v1/traces/\(Self.trace.hex)")
                #expect(trace.status == 200, "\(trace.body)")
                #expect(trace.body.contains("f-m0") && trace.body.contains("f-m2"), "\(trace.body)")
            }
        }
        #expect(try await store.spanCount() == 3)
    }

    @Test("a client that does not trust the test CA (the system's trust store) is refused at the handshake; nothing is stored")
    func untrustedCARefused() async throws {
        let store = InMemorySpanStore()
        try await LiveTLSCollector.run(store: store) { base, _ in
            var systemTrust = TLSConfiguration.makeClientConfiguration()
            systemTrust.minimumTLSVersion = .tlsv12
            let error = await #expect(throws: (any Error).self) {
                try await withTLSClient(systemTrust) { client in
                    try await client.call(base + "/v1/traces", post: try OTLPJSON.encodeRequest(Fixtures.spans(1, trace: Self.trace)))
                }
            }
            #expect("\(error.map { "\($0)" } ?? "")".contains("CERTIFICATE_VERIFY_FAILED"), "\(error.map { "\($0)" } ?? "")")
        }
        #expect(try await store.spanCount() == 0)
    }

    @Test("a client trusting another CA is refused too")
    func strangerCARefused() async throws {
        let pki = try TestCertificates.shared()
        try await LiveTLSCollector.run { base, _ in
            let stranger = try #require(
                try ClientTLS.configuration(caFile: pki.strangerCAFile, certificateFile: nil, keyFile: nil, flags: ("--ca", "--cert", "--key")))
            await #expect(throws: (any Error).self) {
                try await withTLSClient(stranger) { client in try await client.call(base + "/healthz") }
            }
        }
    }

    @Test("plain HTTP on the TLS port gets no HTTP answer: the listener speaks TLS only")
    func plainHTTPRefused() async throws {
        try await LiveTLSCollector.run { _, port in
            let connection = try RawConnection(port: port)
            try connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            let received = String(decoding: try await connection.readUntilClosed(within: .seconds(20)), as: UTF8.self)
            #expect(!received.contains("HTTP/1.1"), "\(received)")
        }
    }

    @Test("a handshake trickled past the header timeout closes the connection, long before the idle timeout")
    func slowHandshake() async throws {
        let limits = HTTPServerLimits(idleTimeout: .seconds(600), headerTimeout: .milliseconds(300))
        try await LiveTLSCollector.run(limits: limits) { _, port in
            let connection = try RawConnection(port: port)
            try connection.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])  // the start of a ClientHello, never finished
            _ = try await connection.readUntilClosed(within: .seconds(20))  // throws when still open then
        }
    }

    @Test("with --tls-client-ca-file a client without a certificate is refused and nothing is stored")
    func mutualTLSRefusesNoCertificate() async throws {
        let pki = try TestCertificates.shared()
        let store = InMemorySpanStore()
        try await LiveTLSCollector.run(clientCA: pki.caFile, store: store) { base, _ in
            await #expect(throws: (any Error).self) {
                try await withTLSClient(try testClientTLS()) { client in
                    try await client.call(base + "/v1/traces", post: try OTLPJSON.encodeRequest(Fixtures.spans(1, trace: Self.trace)))
                }
            }
            await #expect(throws: (any Error).self) {
                try await withTLSClient(try testClientTLS()) { client in try await client.call(base + "/api/v1/flows") }
            }
        }
        #expect(try await store.spanCount() == 0)
    }

    @Test("with --tls-client-ca-file a certificate signed by another CA is refused")
    func mutualTLSRefusesStranger() async throws {
        let pki = try TestCertificates.shared()
        try await LiveTLSCollector.run(clientCA: pki.caFile) { base, _ in
            let tls = try testClientTLS(certificate: pki.strangerCertificateFile, key: pki.strangerKeyFile)
            await #expect(throws: (any Error).self) {
                try await withTLSClient(tls) { client in try await client.call(base + "/api/v1/flows") }
            }
        }
    }

    @Test("with --tls-client-ca-file a client with a certificate signed by that CA ingests and queries")
    func mutualTLSAcceptsGoodCertificate() async throws {
        let pki = try TestCertificates.shared()
        let store = InMemorySpanStore()
        try await LiveTLSCollector.run(clientCA: pki.caFile, store: store) { base, _ in
            let tls = try testClientTLS(certificate: pki.clientCertificateFile, key: pki.clientKeyFile)
            try await withTLSClient(tls) { client in
                let posted = try await client.call(base + "/v1/traces", post: try OTLPJSON.encodeRequest(Fixtures.spans(2, trace: Self.trace)))
                #expect(posted.status == 200, "\(posted.body)")
                let trace = try await client.call(base + "/api/v1/traces/\(Self.trace.hex)")
                #expect(trace.status == 200 && trace.body.contains("f-m1"), "\(trace.body)")
            }
        }
        #expect(try await store.spanCount() == 2)
    }
}
