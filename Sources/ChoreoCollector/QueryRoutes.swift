import ChoreoFlows
import ChoreoModel
import ChoreoQuery
import ChoreoStore
import Foundation
import HTTPTypes
import Hummingbird

/// The JSON query API used by the CLI and the dashboard (contract: Collector/README.md, "Query
/// API"): HTTP in front of the ``QueryService`` that `choreo --db` calls too.
///
/// Reads never write: no route runs the indexer. Every answer carries `Choreo-Index-Updated-At`,
/// the time (RFC 3339) up to which every committed span is in the flow index.
///
/// - `GET /api/v1/flows?status=&type=&service=&since=&until=&limit=`: flow summaries, most
///   recent activity first, as indexed. List parameters repeat or
///   are comma-separated, at most 100 values each (``QueryParameters/maxListValues``); times
///   are RFC 3339 or Unix nanoseconds, at most 2262-04-11T23:47:16Z.
/// - `GET /api/v1/flows/stats`, `/api/v1/map`, `/api/v1/variants`, `/api/v1/map/export`,
///   `/api/v1/flows/{id}/export`: see `QueryRoutes+Discovery.swift`.
/// - `GET /api/v1/traces?service=&name=&attribute=k=v&errors=true&since=&until=&limit=`: trace search.
/// - `GET /api/v1/flows/{correlation id}?steps_from=&steps_limit=&steps_at=&traces_from=&traces_limit=&outline=`:
///   one flow, rebuilt from its spans now, judged as the indexer recorded in the store. With any
///   of these parameters the answer is a page (``QueryParameters/flowPage()``): `steps` holds
///   only the steps asked for, `trace_ids` at most `traces_limit` (default 100) trace ids, with
///   `steps_total`, `steps_from`, `traces_from`, `traces_total` saying where they sit, and
///   `outline` the flow's ``FlowOutline`` when asked; the header, findings and counts always
///   cover the whole flow.
/// - `GET /api/v1/traces/{trace id}`: every span of a trace.
///
/// Errors are JSON `{"error": "..."}` with 400 (bad parameter) or 404 (nothing found).
struct QueryRoutes: Sendable {
    let service: QueryService
    /// When the index last caught up (Unix nanoseconds), for `Choreo-Index-Updated-At`.
    let indexedAt: @Sendable () -> UInt64

    func listFlows(_ request: Request, context: some RequestContext) async throws -> Response {
        let query: FlowQuery
        do {
            query = try QueryParameters(request).flowQuery(defaultLimit: 100, maxLimit: 100_000)
        } catch {
            return Self.error(.badRequest, error.message)
        }
        return try json(.ok, try await service.flows(query))
    }

    /// The flow with the correlation id in the path, rebuilt now; nil (and a 400/404 response) otherwise.
    func flow(_ context: some RequestContext) async throws -> Result<Flow, HTTPResponseError> {
        // Path parameters arrive percent-encoded (a correlation id may hold "/").
        let raw = try context.parameters.require("id")
        guard let id = raw.removingPercentEncoding, !id.isEmpty else {
            return .failure(HTTPResponseError(.badRequest, "malformed correlation id in the path: \(QueryParameters.quoted(raw))"))
        }
        // Sampled out first: the error spans it keeps would rebuild a torn flow.
        if let sampled = try await service.sampledOut(correlationID: id) { return .failure(HTTPResponseError(.gone, sampled.message)) }
        guard let flow = try await service.flow(correlationID: id) else {
            return .failure(HTTPResponseError(.notFound, "no flow with correlation id \(QueryParameters.quoted(id))"))
        }
        return .success(flow)
    }

    func showFlow(_ request: Request, context: some RequestContext) async throws -> Response {
        let page: FlowPageRequest?
        do {
            page = try QueryParameters(request).flowPage()
        } catch {
            return Self.error(.badRequest, error.message)
        }
        switch try await flow(context) {
        case .success(let flow):
            // Written straight into bytes (same bytes as JSONEncoder): only the steps shown.
            return json(.ok, bytes: flow.jsonBytes(page: page))
        case .failure(let error): return Self.error(error.status, error.message)
        }
    }

    func getTrace(_ request: Request, context: some RequestContext) async throws -> Response {
        let text = try context.parameters.require("id")
        guard let traceID = TraceID(hex: text), traceID.isValid else {
            return Self.error(.badRequest, "a trace id is 32 hex digits, not all zero; got \(QueryParameters.quoted(text))")
        }
        guard let document = try await service.trace(traceID) else {
            return Self.error(.notFound, "no trace with id \(traceID.hex)")
        }
        return try json(.ok, document)
    }

    /// A JSON answer carrying the index's freshness.
    func json(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        var response = try Self.json(status, value)
        response.headers[Self.indexUpdatedAt] = UnixTime.rfc3339(indexedAt())
        return response
    }

    /// JSON already written (a flow's ``Flow/jsonBytes(page:)``), carrying the index's freshness.
    func json(_ status: HTTPResponse.Status, bytes: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[Self.indexUpdatedAt] = UnixTime.rfc3339(indexedAt())
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static let indexUpdatedAt = HTTPField.Name("Choreo-Index-Updated-At")!

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
