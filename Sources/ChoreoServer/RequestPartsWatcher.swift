import Foundation
import NIOCore
import NIOHTTP1

/// Right after the HTTP decoder: tells the ``RequestReadGuard`` when request heads and ends are
/// parsed and responses end, and answers a request the decoder refused (a request line or
/// header fields over the size limit: 431; anything else malformed: 400) with a JSON body
/// before the connection closes, instead of the framework's bodiless 400.
final class RequestPartsWatcher: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let readGuard: RequestReadGuard
    /// For the 431 message.
    let maxHeaderBytes: Int
    private var context: ChannelHandlerContext?

    init(readGuard: RequestReadGuard, maxHeaderBytes: Int) {
        self.readGuard = readGuard
        self.maxHeaderBytes = maxHeaderBytes
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head: readGuard.perform(readGuard.state.headReceived())
        case .body: break
        case .end: readGuard.perform(readGuard.state.endReceived())
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = Self.unwrapOutboundIn(data) { readGuard.state.responseEnded() }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? HTTPParserError, readGuard.state.mayAnswer else {
            return context.fireErrorCaught(error)
        }
        if case .headerOverflow = error {
            answer(.requestHeaderFieldsTooLarge, "the request line or the header fields exceed \(maxHeaderBytes) bytes")
        } else {
            answer(.badRequest, "malformed HTTP request: \(error)")
        }
    }

    /// Answers `status` with `{"error": message}` and closes the connection.
    func answer(_ status: HTTPResponseStatus, _ message: String) {
        guard let context else { return }
        let body = (try? JSONEncoder().encode(["error": message])) ?? Data()
        let headers = HTTPHeaders([
            ("Content-Type", "application/json"), ("Content-Length", "\(body.count)"), ("Connection", "close"),
        ])
        context.write(Self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(Self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension RequestPartsWatcher: Sendable {}
