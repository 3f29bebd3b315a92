import Foundation
import NIOCore
import NIOHTTP1

/// First in a connection's pipeline: sees the raw bytes, so it knows when a request starts to
/// arrive, and closes the connection when its head or body takes longer than allowed
/// (``RequestReadState``). A head that times out with no response owed is answered 408 first.
///
/// Works with a ``RequestPartsWatcher`` right after the HTTP decoder, which tells it when heads
/// and ends are parsed and answers for it.
final class RequestReadGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    var state = RequestReadState()
    let headerTimeout: TimeAmount
    let bodyTimeout: TimeAmount
    /// How long the 408 answer of a head that timed out may take to be written before the
    /// connection is closed without it.
    static let answerGrace = TimeAmount.seconds(1)
    /// Set once the pipeline is built; weak, as it holds this guard.
    weak var parts: RequestPartsWatcher?
    private var context: ChannelHandlerContext?
    private var timer: Scheduled<Void>?

    init(headerTimeout: Duration, bodyTimeout: Duration) {
        self.headerTimeout = TimeAmount(headerTimeout)
        self.bodyTimeout = TimeAmount(bodyTimeout)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        perform(.stopTimer)
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        perform(state.bytesReceived())
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        perform(.stopTimer)
        context.fireChannelInactive()
    }

    /// Starts or stops the timer as the state says.
    func perform(_ action: RequestReadState.Action) {
        switch action {
        case .none: return
        case .stopTimer:
            timer?.cancel()
            timer = nil
        case .startHeaderTimer: start(headerTimeout) { $0.headTimedOut() }
        case .startBodyTimer: start(bodyTimeout) { $0.context?.close(promise: nil) }
        }
    }

    private func start(_ amount: TimeAmount, _ expired: @escaping (RequestReadGuard) -> Void) {
        timer?.cancel()
        guard let context else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: amount) { [weak self] in
            guard let self else { return }
            self.timer = nil
            expired(self)
        }
    }

    private func headTimedOut() {
        let seconds = Double(headerTimeout.nanoseconds) / 1e9
        let message = "the request line and header fields did not arrive within \(seconds) s of the request's first byte"
        if state.mayAnswer, let parts {
            parts.answer(.requestTimeout, message)
            // The answer closes the connection once written. One that cannot be written (a TLS
            // handshake that never finished, a client that reads nothing) must not keep it open.
            start(Self.answerGrace) { $0.context?.close(promise: nil) }
        } else {
            context?.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension RequestReadGuard: Sendable {}
