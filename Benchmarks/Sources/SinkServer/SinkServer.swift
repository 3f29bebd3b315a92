import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A minimal OTLP/HTTP "collector": answers every request 200 with an empty body as fast as it
/// can, and counts requests. It decodes nothing, so it is never the bottleneck.
public final class SinkServer: Sendable {
    public let port: Int
    let requests = Atomic<Int>(0)
    private let channel: any Channel

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    /// Requests answered so far.
    public var answered: Int { requests.load(ordering: .relaxed) }

    public static func start() async throws -> SinkServer {
        let counter = Counter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(SinkHandler(counter: counter))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = SinkServer(port: channel.localAddress?.port ?? 0, channel: channel)
        counter.sink.withLock { $0 = server }
        return server
    }

    public func stop() async {
        try? await channel.close()
    }

    /// Lets the handlers reach the server's counter.
    final class Counter: Sendable {
        let sink = Mutex<SinkServer?>(nil)
        func increment() { sink.withLock { $0?.requests.wrappingAdd(1, ordering: .relaxed) } }
    }
}

/// Answers each complete request with `200 OK`, `Content-Length: 0`.
private final class SinkHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let counter: SinkServer.Counter
    private var keepAlive = true

    init(counter: SinkServer.Counter) { self.counter = counter }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
        case .body:
            break
        case .end:
            counter.increment()
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: "0")
            headers.add(name: "Content-Type", value: "application/x-protobuf")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            let keepAlive = keepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { context.close(promise: nil) }
            }
        }
    }
}
