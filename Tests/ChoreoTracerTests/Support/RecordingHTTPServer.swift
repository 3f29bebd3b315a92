import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A tiny HTTP/1.1 server on loopback that records every request and answers from a script.
///
/// Each request takes the next scripted response; once the script is empty it answers 200.
final class RecordingHTTPServer: Sendable {
    struct Request: Sendable {
        var method: String
        var uri: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    struct Response: Sendable {
        var status: Int
        var headers: [(String, String)] = []
        var body: String = ""
    }

    private struct State {
        var script: [Response] = []
        var requests: [Request] = []
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())
    private let channel: any Channel

    /// The port the server listens on (chosen by the system).
    let port: Int

    /// The base URL, e.g. `http://127.0.0.1:51234`.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(channel: any Channel) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
    }

    /// Starts a server on an ephemeral loopback port.
    static func start() async throws -> RecordingHTTPServer {
        let box = Mutex<RecordingHTTPServer?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                    let server = box.withLock { $0 }!
                    try channel.pipeline.syncOperations.addHandler(RecordingHandler(server: server))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let server = RecordingHTTPServer(channel: channel)
        box.withLock { $0 = server }
        return server
    }

    /// Stops listening.
    func stop() async throws {
        try await channel.close()
    }

    /// Queues responses for the next requests, in order.
    func script(_ responses: Response...) {
        state.withLock { $0.script += responses }
    }

    /// Every request received so far.
    var requests: [Request] { state.withLock { $0.requests } }

    /// Returns once at least `count` requests have been received.
    func waitForRequests(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if state.requests.count >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    fileprivate func record(_ request: Request) -> Response {
        let (response, ready) = state.withLock { state in
            state.requests.append(request)
            let response = state.script.isEmpty ? Response(status: 200) : state.script.removeFirst()
            let count = state.requests.count
            let ready = state.waiters.filter { $0.count <= count }.map(\.continuation)
            state.waiters.removeAll { $0.count <= count }
            return (response, ready)
        }
        for waiter in ready { waiter.resume() }
        return response
    }
}

/// Collects one request at a time and writes the server's scripted answer.
private final class RecordingHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: RecordingHTTPServer
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(server: RecordingHTTPServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body += buffer.readableBytesView
        case .end:
            guard let head else { return }
            let request = RecordingHTTPServer.Request(
                method: head.method.rawValue,
                uri: head.uri,
                headers: head.headers.map { ($0.name, $0.value) },
                body: body
            )
            let response = server.record(request)
            var headers = HTTPHeaders(response.headers)
            headers.add(name: "Content-Length", value: String(response.body.utf8.count))
            let responseHead = HTTPResponseHead(
                version: head.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers
            )
            context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
            if !response.body.isEmpty {
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            self.head = nil
        }
    }
}
