import ChoreoOTLP
import Hummingbird
import Logging
import NIOCore

/// `POST /v1/traces` on the agent: accepts OTLP/HTTP (protobuf or JSON, optional gzip) from
/// any OpenTelemetry SDK and queues it for forwarding.
///
/// 200 once queued (the collector validates each span later); 400 with the reason for a
/// malformed body; 413 when too large; 503 with `Retry-After` when the queue is full, so the
/// sender keeps the spans and retries.
struct ReceiverRoute: Sendable {
    let queue: SpanQueue
    let configuration: AgentConfiguration
    let counters: ReceiverCounters
    let logger: Logger

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        var request = request
        let contentType = request.headers[.contentType]
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: configuration.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            counters.rejected(.tooLarge)
            return Self.answer(.contentTooLarge, OTLPHTTP.statusBody(contentType: contentType, message: "request body exceeds \(configuration.maxBodyBytes) bytes"))
        }
        let chunk: SpanChunk
        do {
            chunk = try decode(Array(buffer.readableBytesView), contentType: contentType, encoding: request.headers[.contentEncoding])
        } catch {
            counters.rejected(error.code == .tooLarge ? .tooLarge : .malformed)
            logger.debug("rejected an OTLP request", metadata: ["reason": "\(error.message)"])
            let status: HTTPResponse.Status = error.code == .tooLarge ? .contentTooLarge : .badRequest
            return Self.answer(status, OTLPHTTP.statusBody(contentType: contentType, message: error.message))
        }
        if chunk.spanCount > 0 {
            guard queue.offer(chunk) else {
                counters.refused(spans: chunk.spanCount)
                var response = Self.answer(.serviceUnavailable, OTLPHTTP.statusBody(contentType: contentType, message: "agent queue full; retry later"))
                response.headers[.retryAfter] = "1"
                return response
            }
        }
        counters.received(spans: chunk.spanCount)
        return Self.answer(.ok, OTLPHTTP.successBody(contentType: contentType, rejectedSpans: 0, errorMessage: nil))
    }

    /// Decodes into OTLP messages kept as received (the collector validates each span and
    /// answers with partial success for the ones it rejects).
    private func decode(_ body: [UInt8], contentType: String?, encoding: String?) throws(OTLPDecodingError) -> SpanChunk {
        let message = try OTLPHTTP.decodeBodyMessage(
            body, contentType: contentType, contentEncoding: encoding, maxDecompressedBytes: configuration.maxDecompressedBytes
        )
        return SpanChunk(resourceSpans: message.resourceSpans, spanCount: message.spanCount)
    }

    static func answer(_ status: HTTPResponse.Status, _ answer: (body: [UInt8], contentType: String)) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = answer.contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
