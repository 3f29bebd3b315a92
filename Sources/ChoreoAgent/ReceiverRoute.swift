import Foundation
import ChoreoOTLP
import ChoreoServer
import Hummingbird
import Logging
import NIOCore

/// `POST /v1/traces` on the agent: accepts OTLP/HTTP (protobuf or JSON, optional gzip) from
/// any OpenTelemetry SDK and queues it for forwarding; OTLP/gRPC `Export` takes the same path
/// (``receive(_:contentType:contentEncoding:)``).
///
/// 200 once queued (the collector validates each span later) — with a disk spool, once the
/// request is written to the spool, so an acknowledged request survives the agent's death;
/// 400 with the reason for a malformed body; 413 when too large for the agent, or for one
/// request to the collector (``AgentConfiguration/upstream``: more spans or bytes than it takes,
/// so it could never be delivered); 503 with `Retry-After` when the queue is full or the spool
/// cannot be written, so the sender keeps the spans and retries.
struct ReceiverRoute: Sendable {
    let queue: SpanQueue
    let spool: Spool?
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
            return Self.answer(
                .contentTooLarge, OTLPHTTP.statusBody(contentType: contentType, message: "request body exceeds \(configuration.maxBodyBytes) bytes"))
        }
        let outcome = receive(Array(buffer.readableBytesView), contentType: contentType, contentEncoding: request.headers[.contentEncoding])
        return Self.response(to: outcome, contentType: contentType)
    }

    /// One request's way in, whatever carried it (`POST /v1/traces`, OTLP/gRPC `Export` with
    /// `application/x-protobuf` and no encoding): decoded within the limits, checked against
    /// what the collector takes, then spooled or queued; every refusal counted once.
    func receive(_ body: [UInt8], contentType: String?, contentEncoding: String?) -> OTLPIngestOutcome {
        let serialized: [UInt8]
        let spanCount: Int
        do {
            (_, serialized, spanCount) = try decode(body, contentType: contentType, encoding: contentEncoding)
        } catch {
            let tooLarge = [.tooLarge, .tooManySpans, .tooManyElements].contains(error.code)
            counters.rejected(tooLarge ? .tooLarge : .malformed)
            logger.debug("rejected an OTLP request", metadata: ["reason": "\(error.message)"])
            let message = configuration.upstream.refusal(for: error, receiverDecodedBytes: configuration.maxDecompressedBytes) ?? error.message
            return .refused(OTLPIngestRefusal(tooLarge ? .tooLarge : .malformed, message))
        }
        if let refusal = configuration.upstream.refusal(spanCount: spanCount, serialized: serialized) {
            counters.rejected(.tooLarge)
            logger.debug("refused an OTLP request over the upstream limits", metadata: ["reason": "\(refusal)"])
            return .refused(OTLPIngestRefusal(.tooLarge, refusal))
        }
        if spanCount > 0, let refusal = keep(serialized, spanCount: spanCount) { return .refused(refusal) }
        counters.received(spans: spanCount)
        return .accepted(rejectedSpans: 0, message: nil)
    }

    /// Spools or queues one request; nil once kept, else the refusal (retry in a second).
    private func keep(_ serialized: [UInt8], spanCount: Int) -> OTLPIngestRefusal? {
        if let spool {
            do {
                try spool.append(serialized, spanCount: spanCount)
                return nil
            } catch {
                counters.refused(spans: spanCount)
                logger.error("cannot write to the spool; refused the request with 503", metadata: ["error": "\(error)"])
                return OTLPIngestRefusal(.unavailable, "agent spool unavailable; retry later", retryAfter: .seconds(1))
            }
        }
        guard queue.offer(SpanChunk(serialized: serialized, spanCount: spanCount)) else {
            counters.refused(spans: spanCount)
            return OTLPIngestRefusal(.unavailable, "agent queue full; retry later", retryAfter: .seconds(1))
        }
        return nil
    }

    /// The OTLP/HTTP answer: 200, 400, 413, or 503 with `Retry-After` (the sender keeps the
    /// spans and retries).
    static func response(to outcome: OTLPIngestOutcome, contentType: String?) -> Response {
        switch outcome {
        case .accepted(let rejectedSpans, let message):
            return answer(.ok, OTLPHTTP.successBody(contentType: contentType, rejectedSpans: rejectedSpans, errorMessage: message))
        case .refused(let refusal):
            let body = OTLPHTTP.statusBody(contentType: contentType, message: refusal.message)
            switch refusal.reason {
            case .malformed: return answer(.badRequest, body)
            case .tooLarge: return answer(.contentTooLarge, body)
            case .overloaded, .unavailable:
                var response = answer(.serviceUnavailable, body)
                response.headers[.retryAfter] = "\(refusal.retryAfterSeconds ?? 1)"
                return response
            }
        }
    }

    /// Decodes into OTLP messages kept as received (the collector validates each span and
    /// answers with partial success for the ones it rejects), with the serialized request to
    /// queue or spool (a protobuf body's decompressed bytes as they are, a JSON body re-encoded)
    /// and its span count. Spans and elements are counted on the wire bytes first
    /// (``UpstreamLimits/receiverLimits(receiverDecodedBytes:)``), so an amplified body is
    /// refused before it is decoded.
    private func decode(
        _ body: [UInt8], contentType: String?, encoding: String?
    ) throws(OTLPDecodingError) -> (OTLPExportRequest, [UInt8], Int) {
        let limits = configuration.upstream.receiverLimits(receiverDecodedBytes: configuration.maxDecompressedBytes)
        let decoded = try OTLPHTTP.decodeBodyMessage(body, contentType: contentType, contentEncoding: encoding, limits: limits)
        if let protobuf = decoded.protobuf { return (decoded.message, protobuf, decoded.shape.spans) }
        do {
            return (decoded.message, try decoded.message.serializedBytes(), decoded.shape.spans)
        } catch {
            throw OTLPDecodingError(.malformedJSON, "the request cannot be encoded as OTLP protobuf: \(error)")
        }
    }

    static func answer(_ status: HTTPResponse.Status, _ answer: (body: [UInt8], contentType: String)) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = answer.contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
