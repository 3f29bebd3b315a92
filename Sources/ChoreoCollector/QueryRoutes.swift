import ChoreoFlows
import ChoreoModel
import ChoreoStore
import Foundation
import Hummingbird

/// The JSON query API used by the CLI and the dashboard.
///
/// - `GET /api/v1/flows?status=a,b&since=RFC3339&until=RFC3339&limit=N`: flow summaries, most
///   recent activity first (the index is brought up to date first).
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
        var query = FlowQuery()
        let params = request.uri.queryParameters
        if let status = params["status"].map(String.init), !status.isEmpty {
            var statuses: [FlowStatus] = []
            for name in status.split(separator: ",") {
                guard let s = FlowStatus(rawValue: String(name)) else {
                    let valid = FlowStatus.allCases.map(\.rawValue).joined(separator: ", ")
                    return Self.error(.badRequest, "unknown status \"\(name)\"; expected one of: \(valid)")
                }
                statuses.append(s)
            }
            query.statuses = statuses
        }
        for (name, keyPath) in [("since", \FlowQuery.since), ("until", \FlowQuery.until)] {
            guard let text = params[Substring(name)].map(String.init), !text.isEmpty else { continue }
            guard let nanos = UnixTime.parseRFC3339(String(text)) else {
                return Self.error(.badRequest, "\(name) must be an RFC 3339 time, e.g. 2026-11-21T10:00:00Z; got \"\(text)\"")
            }
            query[keyPath: keyPath] = nanos
        }
        if let text = params["limit"].map(String.init) {
            guard let limit = Int(text), (1...100_000).contains(limit) else {
                return Self.error(.badRequest, "limit must be a whole number from 1 to 100000; got \"\(text)\"")
            }
            query.limit = limit
        }
        try await indexer.catchUp()
        return try Self.json(.ok, try await store.flowSummaries(query))
    }

    func showFlow(_ request: Request, context: some RequestContext) async throws -> Response {
        // Path parameters arrive percent-encoded (a correlation id may hold "/").
        let raw = try context.parameters.require("id")
        guard let id = raw.removingPercentEncoding, !id.isEmpty else {
            return Self.error(.badRequest, "malformed correlation id in the path: \"\(raw)\"")
        }
        let spans = try await store.spans(correlationID: id)
        var options = options
        options.stuckLimits = learner.limits()
        guard let flow = FlowBuilder(options: options).build(correlationID: id, spans: spans, now: now()) else {
            return Self.error(.notFound, "no flow with correlation id \"\(id)\"")
        }
        return try Self.json(.ok, flow)
    }

    func getTrace(_ request: Request, context: some RequestContext) async throws -> Response {
        let text = try context.parameters.require("id")
        guard let traceID = TraceID(hex: text), traceID.isValid else {
            return Self.error(.badRequest, "a trace id is 32 hex digits, not all zero; got \"\(text)\"")
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

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        (try? json(status, ["error": message])) ?? Response(status: status)
    }
}
