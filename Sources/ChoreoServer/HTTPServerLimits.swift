import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOHTTP1

/// Limits on every connection of a daemon's HTTP server, so slow or oversized requests cannot
/// hold connections and memory: time limits on idle connections and on reading a request, and
/// size limits on the request line and header fields.
///
/// Request bodies are bounded by each route (`--max-body-bytes`), not here.
public struct HTTPServerLimits: Sendable, Hashable {
    /// A connection on which no request arrives for this long is closed (keep-alive between
    /// requests; also a client that connects and sends nothing, or trickles its head).
    public var idleTimeout: Duration
    /// A request's line and header fields must arrive within this long of its first byte;
    /// otherwise it is answered 408 and the connection closed (slowloris).
    public var headerTimeout: Duration
    /// A request's body must arrive within this long of its head; otherwise the connection is
    /// closed (slow POST).
    public var bodyTimeout: Duration
    /// The request line (the URL included) and the header fields together, at most, in bytes;
    /// beyond it the answer is 431 and the connection is closed. A single line is bounded alike.
    public var maxHeaderBytes: Int
    /// Header fields in one request, at most (431 beyond).
    public var maxHeaderFields: Int

    /// The defaults: 60 s idle, 10 s for a head, 120 s for a body, 32 KiB of head, 100 fields.
    public init(
        idleTimeout: Duration = .seconds(60), headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(120),
        maxHeaderBytes: Int = 32 << 10, maxHeaderFields: Int = 100
    ) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderFields = maxHeaderFields
    }

    /// The HTTP/1.1 server to pass as `Application(server:)`.
    public var serverBuilder: HTTPServerBuilder { serverBuilder(tls: nil) }

    /// The HTTP/1.1 server to pass as `Application(server:)`, over TLS when `tls` is set (HTTPS
    /// only: a plain HTTP request on that port fails the handshake).
    public func serverBuilder(tls: ServerTLS?) -> HTTPServerBuilder {
        let limits = self
        return HTTPServerBuilder { responder in
            let configuration = HTTP1Channel.Configuration(
                idleTimeout: TimeAmount(limits.idleTimeout),
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes,
                    maxHeaderFieldCount: limits.maxHeaderFields
                )
            )
            let channel = GuardedHTTP1Channel(base: HTTP1Channel(responder: responder, configuration: configuration), limits: limits)
            guard let tls else { return channel }
            return try TLSChannel(channel, tlsConfiguration: tls.configuration)
        }
    }
}

/// Hummingbird's HTTP/1.1 channel with a ``RequestReadGuard`` in front of the HTTP decoder and
/// a ``RequestPartsWatcher`` right after it.
///
/// Over TLS the guard is first in the pipeline, before the TLS handler: it sees the encrypted
/// bytes, so the header timeout runs from the first byte of the handshake and bounds the
/// handshake and the request head together (a client cannot hold a connection by trickling
/// its handshake either).
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let base: HTTP1Channel
    let limits: HTTPServerLimits

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let value = base.setup(channel: channel, logger: logger)  // builds the pipeline at once, on the loop
        do {
            let pipeline = channel.pipeline.syncOperations
            let readGuard = RequestReadGuard(headerTimeout: limits.headerTimeout, bodyTimeout: limits.bodyTimeout)
            let parts = RequestPartsWatcher(readGuard: readGuard, maxHeaderBytes: limits.maxHeaderBytes)
            readGuard.parts = parts
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(parts, position: .after(decoder))
            try pipeline.addHandler(readGuard, position: .first)
        } catch {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(error)
        }
        return value
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
