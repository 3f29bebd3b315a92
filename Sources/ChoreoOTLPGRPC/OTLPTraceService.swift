import ChoreoOTLP
import ChoreoServer
import GRPCCore
import GRPCProtobuf

/// OTLP/gRPC `opentelemetry.proto.collector.trace.v1.TraceService/Export` over a receiver's own
/// ingest path: the agent's (queue or spool) or the collector's (decode, limits, group commit).
///
/// The request's protobuf bytes, as gRPC delivered them (gzip already undone within the
/// transport's size limit), go to `ingest`, the same function the receiver's `POST /v1/traces`
/// calls, so both transports decode, limit and acknowledge alike. The answer follows the OTLP
/// specification:
/// - OK with an `ExportTraceServiceResponse`, `partial_success` set when spans were rejected,
///   once the spans are kept (for the collector: committed);
/// - `UNAUTHENTICATED` without the bearer token in the `authorization` metadata, when one is set;
/// - `INVALID_ARGUMENT` for a malformed request or one over a limit (final: do not retry);
/// - `RESOURCE_EXHAUSTED` with `RetryInfo` when the queue is full, `UNAVAILABLE` with `RetryInfo`
///   when spans cannot be kept now (retryable, after the delay the `RetryInfo` names).
public struct OTLPTraceService: RegistrableRPCService {
    /// A receiver's ingest of one `ExportTraceServiceRequest` in protobuf bytes.
    public typealias Ingest = @Sendable (_ request: [UInt8]) async -> OTLPIngestOutcome

    let token: AccessToken?
    let onUnauthenticated: @Sendable () -> Void
    let ingest: Ingest

    /// - Parameters:
    ///   - token: when set, every call needs `authorization: Bearer <token>` metadata.
    ///   - onUnauthenticated: called once per call refused for its token (to count it).
    ///   - ingest: the receiver's ingest path, shared with its OTLP/HTTP route.
    public init(token: AccessToken?, onUnauthenticated: @escaping @Sendable () -> Void = {}, ingest: @escaping Ingest) {
        self.token = token
        self.onUnauthenticated = onUnauthenticated
        self.ingest = ingest
    }

    public func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: Opentelemetry_Proto_Collector_Trace_V1_TraceService.Method.Export.descriptor,
            deserializer: RawBytesCoder(), serializer: RawBytesCoder()
        ) { request, _ in
            let single = try await ServerRequest(stream: request)
            let answer = try await export(single.message, metadata: single.metadata)
            return StreamingServerResponse(single: ServerResponse(message: answer, metadata: [:]))
        }
    }

    /// The response bytes for one request, or the error that ends the call.
    public func export(_ request: [UInt8], metadata: Metadata) async throws(RPCError) -> [UInt8] {
        try authorize(metadata)
        switch await ingest(request) {
        case .accepted(let rejectedSpans, let message):
            return OTLPHTTP.successBody(contentType: OTLPHTTP.protobufContentType, rejectedSpans: rejectedSpans, errorMessage: message).body
        case .refused(let refusal):
            throw Self.error(for: refusal)
        }
    }

    /// Lets a call through when no token is set or its `authorization` metadata presents it.
    func authorize(_ metadata: Metadata) throws(RPCError) {
        guard let token else { return }
        guard let presented = AccessToken.bearerCredential(metadata[stringValues: "authorization"].first(where: { _ in true })) else {
            onUnauthenticated()
            throw RPCError(code: .unauthenticated, message: "missing bearer token: send authorization: Bearer <token> metadata")
        }
        guard token.matches(presented.utf8) else {
            onUnauthenticated()
            throw RPCError(code: .unauthenticated, message: "invalid bearer token")
        }
    }

    /// The gRPC status of a refusal; the retryable ones carry `google.rpc.RetryInfo` in
    /// `grpc-status-details-bin`.
    public static func error(for refusal: OTLPIngestRefusal) -> RPCError {
        let code: RPCError.Code
        switch refusal.reason {
        case .malformed, .tooLarge: return RPCError(code: .invalidArgument, message: refusal.message)
        case .overloaded: code = .resourceExhausted
        case .unavailable: code = .unavailable
        }
        let delay = refusal.retryAfter ?? .seconds(1)
        return RPCError(GoogleRPCStatus(code: code, message: refusal.message, details: [.retryInfo(delay: delay)]))
    }
}
