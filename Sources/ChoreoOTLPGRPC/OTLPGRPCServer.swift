import ChoreoModel
import ChoreoServer
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import ServiceLifecycle

/// The OTLP/gRPC listener of a receiver (`--grpc-listen`): HTTP/2, plaintext or TLS, gzip and
/// deflate accepted, serving one ``OTLPTraceService``; a `Service` that runs until graceful
/// shutdown, when it stops taking calls and finishes those in flight.
public struct OTLPGRPCServer: Service {
    /// Where and how to listen.
    public struct Configuration: Sendable {
        /// The address to bind (an IP address or `localhost`; port 0 picks a free port).
        public var address: ListenAddress
        /// TLS on the listener, the same files as the receiver's HTTP listener; nil: plaintext.
        public var tls: ServerTLS?
        /// The largest request message, in bytes once decompressed; a larger one ends with
        /// `RESOURCE_EXHAUSTED` before anything is decoded.
        public var maxRequestBytes: Int

        public init(address: ListenAddress, tls: ServerTLS? = nil, maxRequestBytes: Int) {
            self.address = address
            self.tls = tls
            self.maxRequestBytes = maxRequestBytes
        }
    }

    public let configuration: Configuration
    let service: OTLPTraceService
    let logger: Logger
    let onListening: @Sendable (_ port: Int?) -> Void

    /// - Parameter onListening: called once the address is bound, with the bound port.
    public init(
        configuration: Configuration, service: OTLPTraceService, logger: Logger,
        onListening: @escaping @Sendable (_ port: Int?) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.service = service
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves until graceful shutdown or cancellation.
    ///
    /// - Throws: ``OTLPGRPCServerError`` when the address cannot be bound or the listener fails.
    public func run() async throws {
        let transport = HTTP2ServerTransport.Posix(
            address: Self.socketAddress(configuration.address), transportSecurity: Self.security(configuration.tls),
            config: .defaults { config in
                config.rpc.maxRequestPayloadSize = configuration.maxRequestBytes
                config.compression.enabledAlgorithms = [.gzip, .deflate]
            }
        )
        let server = GRPCServer(transport: transport, services: [service])
        let address = configuration.address
        let onListening = onListening
        do {
            try await withGracefulShutdownHandler {
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask { try await server.serve() }
                    // Throws only when the server never listened; serve() says why.
                    if let bound = try? await transport.listeningAddress {
                        onListening(bound.ipv4?.port ?? bound.ipv6?.port)
                    }
                }
            } onGracefulShutdown: {
                server.beginGracefulShutdown()
            }
        } catch {
            throw OTLPGRPCServerError(address: address, cause: error)
        }
    }

    /// The transport's address: IPv4 or IPv6 by the literal, `localhost` as 127.0.0.1.
    static func socketAddress(_ address: ListenAddress) -> GRPCNIOTransportCore.SocketAddress {
        if address.host == "localhost" { return .ipv4(host: "127.0.0.1", port: address.port) }
        return address.host.contains(":") ? .ipv6(host: address.host, port: address.port) : .ipv4(host: address.host, port: address.port)
    }

    /// Plaintext, TLS, or mutual TLS with the client CA of `tls`.
    static func security(_ tls: ServerTLS?) -> HTTP2ServerTransport.Posix.TransportSecurity {
        guard let tls else { return .plaintext }
        let chain: [TLSConfig.CertificateSource] = [.file(path: tls.certificateFile, format: .pem)]
        let key: TLSConfig.PrivateKeySource = .file(path: tls.keyFile, format: .pem)
        guard let clientCAFile = tls.clientCAFile else { return .tls(certificateChain: chain, privateKey: key) }
        return .mTLS(certificateChain: chain, privateKey: key) { config in
            config.trustRoots = .certificates([.file(path: clientCAFile, format: .pem)])
        }
    }
}

/// The OTLP/gRPC listener could not bind or failed while serving.
public struct OTLPGRPCServerError: Error, CustomStringConvertible {
    public var address: ListenAddress
    public var cause: any Error

    public var description: String {
        let reason = "\(cause)"
        let hint = reason.contains("Address already in use") ? "; another process listens on that port: stop it or choose another --grpc-listen port" : ""
        return "OTLP/gRPC on \(address): \(reason)\(hint)"
    }
}
