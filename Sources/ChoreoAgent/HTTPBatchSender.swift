import AsyncHTTPClient
import ChoreoOTLP
import NIOCore
import NIOSSL

/// Posts batches to an OTLP/HTTP endpoint with AsyncHTTPClient.
///
/// The client is configured to create no spans: the agent never traces its own work.
public final class HTTPBatchSender: BatchSender {
    private let client: HTTPClient
    private let url: String
    private let headers: [String: String]
    private let timeout: Duration

    /// - Parameter tls: how an `https://` URL is reached (the CA to trust, the client
    ///   certificate); nil: the system's trust store and no client certificate.
    public init(url: String, headers: [String: String], timeout: Duration, tls: TLSConfiguration? = nil) {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls
        configuration.tracing.tracer = nil
        configuration.decompression = .disabled
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.url = url
        self.headers = headers
        self.timeout = timeout
    }

    public func send(_ gzippedBody: [UInt8]) async -> SendResult {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: OTLPHTTP.protobufContentType)
        request.headers.add(name: "Content-Encoding", value: "gzip")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: gzippedBody))
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.nanoseconds)))
            let result = classify(status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"))
            if case .accepted = result {
                _ = try? await response.body.collect(upTo: 1 << 20)
                return result
            }
            let body = (try? await response.body.collect(upTo: 64 << 10)).map { String(buffer: $0) } ?? ""
            return result.withDetail(body)
        } catch {
            return .retryable(reason: "cannot reach \(url): \(error)", retryAfter: nil)
        }
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}

extension SendResult {
    /// The same result with the receiver's answer appended to the reason (for logs).
    func withDetail(_ detail: String) -> SendResult {
        let detail = detail.prefix(300).filter { $0.isASCII && !$0.isNewline }
        guard !detail.isEmpty else { return self }
        switch self {
        case .accepted: return self
        case .retryable(let reason, let after): return .retryable(reason: "\(reason): \(detail)", retryAfter: after)
        case .permanent(let reason): return .permanent(reason: "\(reason): \(detail)")
        case .tooLarge(let reason): return .tooLarge(reason: "\(reason): \(detail)")
        }
    }
}

extension Duration {
    /// Whole nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
