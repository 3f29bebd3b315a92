import ChoreoAgent
import ChoreoModel
import ChoreoOTLP
import ChoreoServer
import ChoreoTestSupport
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// A collector stand-in over TLS on a loopback port: `POST /v1/traces` (gzip protobuf, as the
/// agent sends) counts the spans, and each arrival is announced on ``arrivals``.
final class TLSUpstream: Sendable {
    let received = Mutex(0)
    let arrivals: AsyncStream<Int>
    private let continuation: AsyncStream<Int>.Continuation

    init() {
        (arrivals, continuation) = AsyncStream.makeStream(of: Int.self)
    }

    var router: Router<BasicRequestContext> {
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let plain = try Gzip.decompress(Array(body.readableBytesView), maxOutputBytes: 1 << 24)
            let count = try OTLPProtobuf.decodeRequest(plain).spans.count
            let total = self.received.withLock { total in
                total += count
                return total
            }
            self.continuation.yield(total)
            return Response(status: .ok)
        }
        return router
    }

    /// Returns once `count` spans arrived in all; fails the test after 20 s.
    func waitFor(_ count: Int) async throws {
        let reached = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await total in self.arrivals where total >= count { return true }
                return false
            }
            group.addTask {
                try await Task.sleep(for: .seconds(20))
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(reached, "\(count) spans reached the upstream within 20 s (got \(received.withLock { $0 }))")
    }
}

/// Runs the applications (each built with `onServerRunning: signal.serverRunning` of the signal
/// it is given) until `body` returns, and hands `body` the ports they listen on.
func withLiveServers(
    _ makers: [(ListenSignal) -> any Service],
    _ body: @Sendable ([Int]) async throws -> Void
) async throws {
    let signals = makers.map { _ in ListenSignal() }
    let services = zip(makers, signals).map { make, signal in make(signal) }
    let group = ServiceGroup(services: services, logger: Logger(label: "test"))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var ports: [Int] = []
        for signal in signals {
            await signal.wait()
            ports.append(try #require(signal.port))
        }
        do {
            try await body(ports)
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

@Suite("Agent over TLS", .timeLimit(.minutes(2)))
struct AgentTLSTests {
    static let flags = (ca: "--collector-ca-file", certificate: "--collector-cert-file", key: "--collector-key-file")

    static func gzippedSpans(_ n: Int) throws -> [UInt8] {
        Gzip.compress(try OTLPProtobuf.encodeRequest(ForwarderTests.spans(n)))
    }

    /// The stand-in collector over TLS with the test CA's server certificate.
    static func upstream(_ upstream: TLSUpstream, clientCA: String?) throws -> (ListenSignal) -> any Service {
        let pki = try TestCertificates.shared()
        let tls = try ServerTLS.load(certificateFile: pki.serverCertificateFile, keyFile: pki.serverKeyFile, clientCAFile: clientCA)
        return { signal in
            Application(
                router: upstream.router, server: HTTPServerLimits().serverBuilder(tls: tls),
                configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil), onServerRunning: signal.serverRunning,
                logger: Logger(label: "test"))
        }
    }

    @Test("the agent receives over TLS and forwards to an https collector with --collector-ca-file and its client certificate")
    func receivesAndForwardsOverTLS() async throws {
        let pki = try TestCertificates.shared()
        let upstream = TLSUpstream()
        let collectorPort = Mutex<Int?>(nil)
        // The upstream starts first; the agent is built once its port is known.
        try await withLiveServers([try Self.upstream(upstream, clientCA: pki.caFile)]) { ports in
            collectorPort.withLock { $0 = ports[0] }
            var configuration = AgentConfiguration(host: "127.0.0.1", port: 0, collectorURL: "https://127.0.0.1:\(ports[0])")
            configuration.batchMaxDelay = .milliseconds(20)
            configuration.tls = try ServerTLS.load(certificateFile: pki.serverCertificateFile, keyFile: pki.serverKeyFile)
            configuration.collectorTLS = try ClientTLS.configuration(
                caFile: pki.caFile, certificateFile: pki.clientCertificateFile, keyFile: pki.clientKeyFile, flags: Self.flags)
            let agent = AgentApp(configuration: configuration, logger: Logger(label: "test"))
            try await withLiveServers([{ agent.makeApplication(onServerRunning: $0.serverRunning) }]) { agentPorts in
                let sender = HTTPBatchSender(
                    url: "https://127.0.0.1:\(agentPorts[0])/v1/traces", headers: [:], timeout: .seconds(20),
                    tls: try ClientTLS.configuration(caFile: pki.caFile, certificateFile: nil, keyFile: nil, flags: Self.flags))
                let result = await sender.send(try Self.gzippedSpans(3))
                await sender.shutdown()
                #expect(result == .accepted, "\(result)")
                try await upstream.waitFor(3)
            }
        }
        #expect(upstream.received.withLock { $0 } == 3)
    }

    @Test("without --collector-ca-file the test CA is not trusted: sending is a retryable failure naming the certificate, nothing arrives")
    func untrustedCollector() async throws {
        let upstream = TLSUpstream()
        try await withLiveServers([try Self.upstream(upstream, clientCA: String?.none)]) { ports in
            // AsyncHTTPClient retries a failed handshake until the request's deadline: keep it short.
            let sender = HTTPBatchSender(url: "https://127.0.0.1:\(ports[0])/v1/traces", headers: [:], timeout: .seconds(2))
            let result = await sender.send(try Self.gzippedSpans(1))
            await sender.shutdown()
            guard case .retryable(let reason, _) = result else {
                Issue.record("expected a retryable failure, got \(result)")
                return
            }
            #expect(reason.contains("CERTIFICATE_VERIFY_FAILED"), "\(reason)")
        }
        #expect(upstream.received.withLock { $0 } == 0)
    }

    @Test("an https collector that requires client certificates refuses the agent without --collector-cert-file")
    func collectorRequiresCertificate() async throws {
        let pki = try TestCertificates.shared()
        let upstream = TLSUpstream()
        try await withLiveServers([try Self.upstream(upstream, clientCA: pki.caFile)]) { ports in
            let sender = HTTPBatchSender(
                url: "https://127.0.0.1:\(ports[0])/v1/traces", headers: [:], timeout: .seconds(20),
                tls: try ClientTLS.configuration(caFile: pki.caFile, certificateFile: nil, keyFile: nil, flags: Self.flags))
            let result = await sender.send(try Self.gzippedSpans(1))
            await sender.shutdown()
            #expect(result != .accepted, "\(result)")
        }
        #expect(upstream.received.withLock { $0 } == 0)
    }

    @Test("the receiver with --tls-client-ca-file refuses a sender without a certificate and accepts one with the CA's")
    func receiverRequiresCertificate() async throws {
        let pki = try TestCertificates.shared()
        var configuration = AgentConfiguration(host: "127.0.0.1", port: 0, collectorURL: "http://127.0.0.1:9")
        // Nothing can be forwarded (port 9): do not wait for it at shutdown.
        configuration.shutdownGrace = .milliseconds(100)
        configuration.requestTimeout = .seconds(1)
        configuration.tls = try ServerTLS.load(certificateFile: pki.serverCertificateFile, keyFile: pki.serverKeyFile, clientCAFile: pki.caFile)
        let agent = AgentApp(configuration: configuration, logger: Logger(label: "test"))
        try await withLiveServers([{ agent.makeApplication(onServerRunning: $0.serverRunning) }]) { ports in
            let url = "https://127.0.0.1:\(ports[0])/v1/traces"
            // AsyncHTTPClient retries a failed handshake until the request's deadline: keep it short.
            let anonymous = HTTPBatchSender(
                url: url, headers: [:], timeout: .seconds(2),
                tls: try ClientTLS.configuration(caFile: pki.caFile, certificateFile: nil, keyFile: nil, flags: Self.flags))
            let refused = await anonymous.send(try Self.gzippedSpans(2))
            await anonymous.shutdown()
            #expect(refused != .accepted, "\(refused)")
            #expect(agent.queue.depth == 0)
            let known = HTTPBatchSender(
                url: url, headers: [:], timeout: .seconds(20),
                tls: try ClientTLS.configuration(
                    caFile: pki.caFile, certificateFile: pki.clientCertificateFile, keyFile: pki.clientKeyFile, flags: Self.flags))
            let accepted = await known.send(try Self.gzippedSpans(2))
            await known.shutdown()
            #expect(accepted == .accepted, "\(accepted)")
        }
    }

    @Test("tokens in clear text warn: the receiver's beyond loopback without TLS, the collector token to a remote http:// collector")
    func cleartextTokenWarnings() throws {
        let pki = try TestCertificates.shared()
        let loopback: (String) -> Bool = { $0 == "127.0.0.1" || $0 == "localhost" || $0 == "::1" }
        var configuration = AgentConfiguration(host: "0.0.0.0", port: 4318, collectorURL: "http://10.1.2.3:4320")
        #expect(configuration.cleartextTokenWarnings(isLoopback: loopback).isEmpty, "no token, no warning")
        configuration.ingestToken = try AccessToken("receiver-secret")
        configuration.collectorToken = try AccessToken("collector-secret")
        let warnings = configuration.cleartextTokenWarnings(isLoopback: loopback)
        #expect(warnings.count == 2, "\(warnings)")
        #expect(warnings.contains { $0.contains("--ingest-token-file") && $0.contains("--tls-cert-file") }, "\(warnings)")
        #expect(warnings.contains { $0.contains("--collector-token-file") && $0.contains("http://10.1.2.3:4320") }, "\(warnings)")
        #expect(!warnings.joined().contains("secret"), "never prints a token")
        configuration.tls = try ServerTLS.load(certificateFile: pki.serverCertificateFile, keyFile: pki.serverKeyFile)
        configuration.collectorURLs = ["https://10.1.2.3:4320", "http://127.0.0.1:4320", "http://[::1]:4320", "HTTP://localhost:4320/v1/traces"]
        #expect(configuration.cleartextTokenWarnings(isLoopback: loopback).isEmpty)
        configuration.collectorURLs = ["http://user@collector.example:4320/"]
        #expect(configuration.cleartextTokenWarnings(isLoopback: loopback).count == 1)
    }
}
