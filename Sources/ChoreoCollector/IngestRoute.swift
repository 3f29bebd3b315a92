import ChoreoModel
import ChoreoOTLP
import ChoreoServer
import ChoreoStore
import Hummingbird
import Logging
import NIOCore

/// `POST /v1/traces`: OTLP/HTTP ingest (protobuf or JSON, optional gzip), and the path OTLP/gRPC
/// `Export` takes too (``ingest(_:contentType:contentEncoding:)``).
///
/// Answers as the OTLP specification says, each refusal with an OTLP `Status` naming the reason:
/// - 200 (with `partialSuccess` when some spans were rejected) only once the accepted spans are
///   committed;
/// - 400 for a malformed body or an unsupported content type or encoding (final: senders must
///   not retry);
/// - 413 for a body over the size limit (compressed or decompressed), a request with more
///   spans than ``IngestLimits/maxSpansPerRequest`` or more elements than follow from it
///   (``OTLPRequestLimits``), found on the wire bytes before anything is decoded (final: send
///   smaller batches);
/// - 429 with `Retry-After` when the ingest queue is full (overload: retry soon);
/// - 503 with `Retry-After` when the store failed to commit or the collector is shutting down.
///
/// Over-long string attribute values are truncated (``IngestLimits``). Every refusal is counted
/// once in ``RejectionCounters`` (requests when no span was kept, spans otherwise).
struct IngestRoute: Sendable {
    let writer: IngestWriter
    let maxBodyBytes: Int
    let maxDecompressedBytes: Int
    let limits: IngestLimits
    let logger: Logger
    let rejected: RejectionCounters
    let truncated: MeteredCounter
    /// Requests decoded at once, at most: each is bounded by the request limits, this bounds
    /// how many are in memory while being decoded, whatever the number of senders.
    let decoding = ConcurrencyLimit(permits: IngestRoute.concurrentDecodes)

    /// Requests decoded at once: as many as a small host has cores.
    static let concurrentDecodes = 2

    /// When to retry once the queue was full (it drains within a commit or two) or a commit
    /// failed (often a passing lock or I/O error; senders back off further on repeats).
    static let retrySoonAfter: Duration = .seconds(1)
    /// When to retry once the collector was shutting down (a restart takes a few seconds).
    static let shutdownRetryAfter: Duration = .seconds(5)

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        var request = request
        let contentType = request.headers[.contentType]
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            rejected.count(.bodyTooLarge)
            return Self.status(.contentTooLarge, contentType, "request body exceeds the limit of \(maxBodyBytes) bytes; send smaller batches")
        }
        let outcome = await ingest(
            Array(buffer.readableBytesView), contentType: contentType, contentEncoding: request.headers[.contentEncoding])
        return Self.response(to: outcome, contentType: contentType)
    }

    /// One request's way in, whatever carried it (`POST /v1/traces`, OTLP/gRPC `Export` with
    /// `application/x-protobuf` and no encoding): decoded within the limits, long values
    /// truncated, invalid spans counted, the rest committed; every refusal counted once.
    func ingest(_ body: [UInt8], contentType: String?, contentEncoding: String?) async -> OTLPIngestOutcome {
        let outcome: Result<OTLPDecodedRequest, OTLPDecodingError> = await decoding.withPermit {
            do throws(OTLPDecodingError) {
                var decoded = try OTLPHTTP.decodeBody(body, contentType: contentType, contentEncoding: contentEncoding, limits: requestLimits)
                truncated.add(limits.truncateAttributes(&decoded.spans))
                return .success(decoded)
            } catch {
                return .failure(error)
            }
        }
        let decoded: OTLPDecodedRequest
        switch outcome {
        case .success(let value): decoded = value
        case .failure(let error): return .refused(refusal(error))
        }
        if decoded.rejectedSpans > 0 { rejected.count(.invalidSpan, by: decoded.rejectedSpans) }
        if let refusal = await commit(decoded.spans) { return .refused(refusal) }
        return .accepted(rejectedSpans: decoded.rejectedSpans, message: decoded.rejectionReason)
    }

    /// What one request may hold: the caps that follow from the span and attribute limits,
    /// the decoded body no larger than ``maxDecompressedBytes`` either.
    var requestLimits: OTLPRequestLimits {
        var derived = limits.requestLimits
        derived.maxDecodedBytes = min(derived.maxDecodedBytes, maxDecompressedBytes)
        return derived
    }

    /// The refusal of a body that could not be decoded: too large when over a limit, else malformed.
    private func refusal(_ error: OTLPDecodingError) -> OTLPIngestRefusal {
        switch error.code {
        case .tooManySpans:
            rejected.count(.tooManySpans)
            return OTLPIngestRefusal(
                .tooLarge,
                "the request holds more than \(limits.maxSpansPerRequest) spans, over the limit per request "
                    + "(--max-spans-per-request); send smaller batches"
            )
        case .tooLarge, .tooManyElements:
            rejected.count(.bodyTooLarge)
            return OTLPIngestRefusal(.tooLarge, error.message)
        default:
            rejected.count(.malformed)
            logger.debug("rejected a malformed OTLP request", metadata: ["reason": "\(error.message)"])
            return OTLPIngestRefusal(.malformed, error.message)
        }
    }

    /// Hands the spans to the writer; nil once they are committed, else the refusal.
    private func commit(_ spans: [SpanRecord]) async -> OTLPIngestRefusal? {
        do {
            try await writer.submit(spans)
            return nil
        } catch let error as IngestError {
            switch error.code {
            case .overloaded:
                rejected.count(.overloaded, by: spans.count)
                return OTLPIngestRefusal(.overloaded, error.message, retryAfter: Self.retrySoonAfter)
            case .shuttingDown:
                rejected.count(.shuttingDown, by: spans.count)
                return OTLPIngestRefusal(.unavailable, error.message, retryAfter: Self.shutdownRetryAfter)
            }
        } catch {
            rejected.count(.storeFailure, by: spans.count)
            return OTLPIngestRefusal(.unavailable, "the store could not commit the spans: \(error)", retryAfter: Self.retrySoonAfter)
        }
    }

    /// The OTLP/HTTP answer: 200 (with partial success), 400, 413, 429 or 503 with `Retry-After`.
    static func response(to outcome: OTLPIngestOutcome, contentType: String?) -> Response {
        switch outcome {
        case .accepted(let rejectedSpans, let message):
            let answer = OTLPHTTP.successBody(contentType: contentType, rejectedSpans: rejectedSpans, errorMessage: message)
            return response(.ok, answer.contentType, answer.body)
        case .refused(let refusal):
            let after = "\(refusal.retryAfterSeconds ?? 1)"
            switch refusal.reason {
            case .malformed: return status(.badRequest, contentType, refusal.message, grpcCode: 3)
            case .tooLarge: return status(.contentTooLarge, contentType, refusal.message)
            case .overloaded: return retryLater(.tooManyRequests, contentType, refusal.message, after: after, grpcCode: 8)
            case .unavailable: return retryLater(.serviceUnavailable, contentType, refusal.message, after: after, grpcCode: 14)
            }
        }
    }

    static func retryLater(
        _ status: HTTPResponse.Status, _ contentType: String?, _ message: String, after seconds: String, grpcCode: Int32
    ) -> Response {
        var response = self.status(status, contentType, message, grpcCode: grpcCode)
        response.headers[.retryAfter] = seconds
        return response
    }

    static func status(_ status: HTTPResponse.Status, _ contentType: String?, _ message: String, grpcCode: Int32 = 2) -> Response {
        let answer = OTLPHTTP.statusBody(contentType: contentType, code: grpcCode, message: message)
        return response(status, answer.contentType, answer.body)
    }

    static func response(_ status: HTTPResponse.Status, _ contentType: String, _ body: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
