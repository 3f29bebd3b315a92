import ChoreoModel
import ChoreoOTLP
import ChoreoStore
import Hummingbird
import Logging
import NIOCore

/// `POST /v1/traces`: OTLP/HTTP ingest (protobuf or JSON, optional gzip).
///
/// Answers as the OTLP specification says: 200 (with `partialSuccess` when some spans were
/// rejected) only once the accepted spans are committed; 400 with the reason for a malformed
/// body (final: senders must not retry); 413 for an oversize body; 503 with `Retry-After`
/// when the ingest queue is full or the store failed to commit. Every refusal is counted once in
/// ``RejectionCounters`` (requests when the body was never decoded, spans otherwise).
struct IngestRoute: Sendable {
    let writer: IngestWriter
    let maxBodyBytes: Int
    let maxDecompressedBytes: Int
    let logger: Logger
    let rejected: RejectionCounters

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        var request = request
        let contentType = request.headers[.contentType]
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            rejected.count(.bodyTooLarge)
            return Self.status(.contentTooLarge, contentType, "request body exceeds the limit of \(maxBodyBytes) bytes")
        }
        let decoded: OTLPDecodedRequest
        do {
            decoded = try OTLPHTTP.decodeBody(
                Array(buffer.readableBytesView), contentType: contentType,
                contentEncoding: request.headers[.contentEncoding], maxDecompressedBytes: maxDecompressedBytes
            )
        } catch {
            if error.code == .tooLarge {
                rejected.count(.bodyTooLarge)
                return Self.status(.contentTooLarge, contentType, error.message)
            }
            rejected.count(.malformed)
            logger.debug("rejected a malformed OTLP request", metadata: ["reason": "\(error.message)"])
            return Self.status(.badRequest, contentType, error.message)
        }
        if decoded.rejectedSpans > 0 { rejected.count(.invalidSpan, by: decoded.rejectedSpans) }
        do {
            try await writer.submit(decoded.spans)
        } catch let error as IngestError {
            rejected.count(.overloaded, by: decoded.spans.count)
            return Self.retryLater(contentType, error.message)
        } catch {
            rejected.count(.storeFailure, by: decoded.spans.count)
            return Self.retryLater(contentType, "the store could not commit the spans: \(error)")
        }
        let answer = OTLPHTTP.successBody(
            contentType: contentType, rejectedSpans: decoded.rejectedSpans, errorMessage: decoded.rejectionReason
        )
        return Self.response(.ok, answer.contentType, answer.body)
    }

    static func retryLater(_ contentType: String?, _ message: String) -> Response {
        var response = status(.serviceUnavailable, contentType, message)
        response.headers[.retryAfter] = "1"
        return response
    }

    static func status(_ status: HTTPResponse.Status, _ contentType: String?, _ message: String) -> Response {
        let answer = OTLPHTTP.statusBody(contentType: contentType, message: message)
        return response(status, answer.contentType, answer.body)
    }

    static func response(_ status: HTTPResponse.Status, _ contentType: String, _ body: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
