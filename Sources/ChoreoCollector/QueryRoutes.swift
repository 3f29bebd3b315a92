import ChoreoFlows
import ChoreoModel
import ChoreoStore
import Foundation
import Hummingbird

/// The JSON query API used by the CLI and the dashboard (contract: notes/API-v1.md).
///
/// - `GET /api/v1/flows?status=&type=&service=&since=&until=&limit=`: flow summaries, most
///   recent activity first (the index is brought up to date first). List parameters repeat or
///   are comma-separated, at most 100 values each (``QueryParameters/maxListValues``); times
///   are RFC 3339 or Unix nanoseconds, at most 2262-04-11T23:47:16Z.
/// - `GET /api/v1/flows/stats`, `/api/v1/map`, `/api/v1/variants`, `/api/v1/map/export`,
///   `/api/v1/flows/{id}/export`: see `QueryRoutes+Discovery.swift`.
/// - `GET /api/v1/traces?service=&name=&attribute=k=v&errors=true&since=&until=&limit=`: trace search.
/// - `GET /api/v1/flows/{correlation id}`: one flow, rebuilt from its spans now with the
///   currently learned stuck limits.
/// - `GET /api/v1/traces/{trace id}`: every span of a trace.
///
/// Errors are JSON `{"error": "..."}` with 400 (bad parameter) or 404 (nothing found).
struct QueryRoutes: Sendable {
    let store: any SpanStore
    let indexer: FlowIndexer<ContinuousClock>
    /// Fixed options; the learner's current stuck limits are added at each request.
    let options: FlowOptions
    let learner: SharedLatencyLearner
    let now: @Sendable () -> UInt64

    func listFlows(_ request: Request, context: some RequestContext) async throws -> Response {
        let query: FlowQuery
        do {
            query = try QueryParameters(request).flowQuery(defaultLimit: 100, maxLimit: 100_000)
        } catch {
            return Self.error(.badRequest, error.message)
        }
        try await indexer.catchUp()
        return try Self.json(.ok, try await store.flowSummaries(query))
    }

    /// The flow with the correlation id in the path, rebuilt now; nil (and a 400/404 response) otherwise.
    func flow(_ context: some RequestContext) async throws -> Result<Flow, HTTPResponseError> {
        // Path parameters arrive percent-encoded (a correlation id may hold "/").
        let raw = try context.parameters.require("id")
        guard let id = raw.removingPercentEncoding, !id.isEmpty else {
            return .failure(HTTPResponseError(.badRequest, "malformed correlation id in the path: \(QueryParameters.quoted(raw))"))
        }
        let spans = try await store.spans(correlationID: id)
        var options = options
        options.stuckLimits = learner.limits()
        guard let flow = FlowBuilder(options: options).build(correlationID: id, spans: spans, now: now()) else {
            return .failure(HTTPResponseError(.notFound, "no flow with correlation id \(QueryParameters.quoted(id))"))
        }
        return .success(flow)
    }

    func showFlow(_ request: Request, context: some RequestContext) async throws -> Response {
        switch try await flow(context) {
        case .success(let flow): return try Self.json(.ok, flow)
        case .failure(let error): return Self.error(error.status, error.message)
        }
    }

    func getTrace(_ request: Request, context: some RequestContext) async throws -> Response {
        let text = try context.parameters.require("id")
        guard let traceID = TraceID(hex: text), traceID.isValid else {
            return Self.error(.badRequest, "a trace id is 32 hex digits, not all zero; got \(QueryParameters.quoted(text))")
        }
        let spans = try await store.spans(traceID: traceID)
        guard !spans.isEmpty else {
            return Self.error(.notFound, "no trace with id \(traceID.hex)")
        }
        return try Self.json(.ok, TraceDocument(traceID: traceID, spans: spans))
    }

    struct TraceDocument: Encodable {
        var traceID: TraceID
        var spans: [SpanRecord]
        enum CodingKeys: String, CodingKey {
            case traceID = "trace_id"
            case spans
        }
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A failed lookup: the status and message to answer with.
    struct HTTPResponseError: Error {
        var status: HTTPResponse.Status
        var message: String
        init(_ status: HTTPResponse.Status, _ message: String) {
            self.status = status
            self.message = message
        }
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        (try? json(status, ["error": message])) ?? Response(status: status)
    }
}
