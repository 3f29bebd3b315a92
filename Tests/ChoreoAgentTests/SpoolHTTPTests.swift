import ChoreoAgent
import ChoreoModel
import ChoreoOTLP
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// Span names a sink received, in arrival order.
final class ReceivedNames: Sendable {
    let names = Mutex<[String]>([])
    var all: [String] { names.withLock { $0 } }
}

@Suite("Agent with a spool over real HTTP")
struct SpoolHTTPTests {
    /// A port nothing listens on (yet).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A collector stand-in: decodes each gzip OTLP request and keeps the span names.
    static func sink(port: Int, received: ReceivedNames) -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1/traces") { request, _ -> HTTPResponse.Status in
            var request = request
            let body = try await request.collectBody(upTo: 64 << 20)
            let bytes = try Gzip.decompress(Array(body.readableBytesView), maxOutputBytes: 64 << 20)
            let spans = try OTLPProtobuf.decodeRequest(bytes).spans
            received.names.withLock { $0 += spans.map(\.name) }
            return .ok
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    }

    @Test("requests acknowledged while the collector is down are delivered, in order, once it comes up")
    func collectorComesUp() async throws {
        let port = try Self.freePort()
        let dir = try SpoolDirectory()
        var c = AgentConfiguration(collectorURL: "http://127.0.0.1:\(port)")
        c.batchMaxSpans = 10
        c.batchMaxDelay = .milliseconds(5)
        c.initialBackoff = .milliseconds(20)
        c.maxBackoff = .milliseconds(100)
        c.requestTimeout = .seconds(30)  // long enough that a loaded machine does not time out and resend
        c.spool = SpoolConfiguration(directory: dir.path)
        let metrics = AgentMetrics()
        let spool = try Spool(configuration: try #require(c.spool), logger: Logger(label: "t"), metrics: metrics.factory)
        let sender = HTTPBatchSender(url: c.tracesURL, headers: [:], timeout: c.requestTimeout)
        let agent = AgentApp(configuration: c, spool: spool, metrics: metrics, sender: sender, clock: ContinuousClock(), logger: Logger(label: "t"))
        let received = ReceivedNames()

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await agent.forwarder.run() }
            try await Application(router: agent.makeRouter()).test(.router) { client in
                for i in 0..<5 {
                    let body = try OTLPProtobuf.encodeRequest(ForwarderTests.spans(10, from: i * 10))
                    let status = try await client.execute(
                        uri: "/v1/traces", method: .post, headers: [.contentType: "application/x-protobuf"], body: ByteBuffer(bytes: body)
                    ) { $0.status }
                    #expect(status == .ok)
                }
            }
            #expect(spool.bytes > 0)
            // The collector is down: the forwarder retries (poll for progress, no fixed sleep).
            while agent.forwarder.stats.retries < 2 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(agent.forwarder.stats.sentSpans == 0)

            group.addTask { try await Self.sink(port: port, received: received).runService() }
            while agent.forwarder.stats.sentSpans < 50 { try await Task.sleep(for: .milliseconds(10)) }
            group.cancelAll()
        }
        // At least once: a request that timed out may arrive twice, but every span arrives,
        // and in the order the agent acknowledged them.
        var seen = Set<String>()
        let firstArrivals = received.all.filter { seen.insert($0).inserted }
        #expect(firstArrivals == (0..<50).map { "span \($0)" })
        #expect(agent.forwarder.stats.sentSpans == 50)
        #expect(spool.pendingSpans == 0)
    }
}
