import AsyncHTTPClient
import ChoreoOTLP

/// The outcome of one HTTP attempt.
enum ExportAttemptOutcome: Sendable {
    case delivered
    /// A final status: the batch is dropped.
    case rejected(status: Int)
    /// Worth another try: an overload or gateway status, or a connection failure.
    case retryable(reason: String, status: Int?, retryAfter: Duration?)
}

extension OTLPHTTPExporter {
    /// Sends one request and classifies the result. Throws only `CancellationError`.
    func attempt(_ body: [UInt8]) async throws -> ExportAttemptOutcome {
        var request = HTTPClientRequest(url: configuration.tracesEndpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: OTLPHTTP.protobufContentType)
        request.headers.add(name: "User-Agent", value: "choreo-tracer")
        if configuration.compression == .gzip {
            request.headers.add(name: "Content-Encoding", value: "gzip")
        }
        for (name, value) in configuration.headers.sorted(by: { $0.key < $1.key }) {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        request.body = .bytes(body)
        state.withLock { $0.counters.requests += 1 }

        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .nanoseconds(configuration.timeoutNanoseconds))
        } catch {
            if Task.isCancelled { throw CancellationError() }
            return .retryable(reason: "\(error)", status: nil, retryAfter: nil)
        }
        let status = Int(response.status.code)
        let retryAfter = RetryAfter.parse(response.headers.first(name: "Retry-After"))
        // Read the body so the connection returns to the pool; its content (a partial
        // success, or an error description) is only logged.
        let detail = await Self.readBody(response.body)
        switch status {
        case 200..<300:
            return .delivered
        case _ where RetryPolicy.isRetryable(status: status):
            return .retryable(reason: "HTTP \(status)", status: status, retryAfter: retryAfter)
        default:
            if !detail.isEmpty {
                logger.debug("OTLP receiver error body", metadata: ["status": "\(status)", "body": "\(detail)"])
            }
            return .rejected(status: status)
        }
    }

    /// Drains a response body, keeping at most 1 KiB of it as text for logs.
    private static func readBody(_ body: HTTPClientResponse.Body) async -> String {
        var kept: [UInt8] = []
        do {
            for try await buffer in body where kept.count < 1024 {
                kept += buffer.readableBytesView.prefix(1024 - kept.count)
            }
        } catch {
            return ""
        }
        return String(decoding: kept, as: UTF8.self)
    }
}
