import ChoreoModel
import ChoreoQuery
import ChoreoStore
import HTTPTypes
import Hummingbird

/// Jaeger's HTTP query API, so Grafana's Jaeger data source and the Jaeger UI read the
/// collector unchanged (behind the query token like `/api/v1/*`):
///
/// - `GET /api/services`: every service, `{"data": [names], "total": n, ...}`.
/// - `GET /api/services/{service}/operations`: the service's span names.
/// - `GET /api/operations?service=&spanKind=`: `[{"name", "spanKind"}]`.
/// - `GET /api/traces?service=&operation=&tags=&tag=&minDuration=&maxDuration=&start=&end=&lookback=&limit=`
///   (or `traceID=` repeated): traces with a span matching every condition, newest first
///   (``JaegerParameters``).
/// - `GET /api/traces/{traceID}`: one trace; 404 when absent.
/// - `GET /api/dependencies?endTs=&lookback=`: service edges (milliseconds), from the flows
///   active in the window (``JaegerQueryService/dependencies(since:until:)``).
///
/// Answers use Jaeger's envelope `{"data", "total", "limit", "offset", "errors"}`; errors are
/// `{"data": null, ..., "errors": [{"code", "msg"}]}` with 400 or 404.
struct JaegerRoutes: Sendable {
    let service: JaegerQueryService
    let now: @Sendable () -> UInt64

    func register(on group: RouterGroup<BasicRequestContext>) {
        group.get("/api/services") { _, _ in try await services() }
        group.get("/api/services/:service/operations") { _, context in try await legacyOperations(context) }
        group.get("/api/operations") { request, _ in try await operations(request) }
        group.get("/api/traces") { request, _ in try await searchTraces(request) }
        group.get("/api/traces/:traceID") { _, context in try await trace(context) }
        group.get("/api/dependencies") { request, _ in try await dependencies(request) }
    }

    func services() async throws -> Response {
        let names = try await service.services()
        return try Self.answer(names, total: names.count)
    }

    /// Distinct span names of the service in the path (percent-decoded), sorted.
    func legacyOperations(_ context: some RequestContext) async throws -> Response {
        let raw = try context.parameters.require("service")
        guard let name = raw.removingPercentEncoding, !name.isEmpty else {
            return Self.failure(.badRequest, "malformed service name in the path: \(QueryParameters.quoted(raw))")
        }
        var names: [String] = []
        for operation in try await service.operations(service: name, kind: nil) where names.last != operation.name {
            names.append(operation.name)
        }
        return try Self.answer(names, total: names.count)
    }

    func operations(_ request: Request) async throws -> Response {
        let parameters = JaegerParameters(request)
        guard let name = parameters.string("service") else { return Self.failure(.badRequest, "parameter 'service' is required") }
        var kind: SpanKind?
        if let text = parameters.string("spanKind") {
            guard let parsed = SpanKind(rawValue: text), parsed != .unspecified else {
                return Self.failure(
                    .badRequest, "unsupported spanKind \(QueryParameters.quoted(text)); expected one of: server, client, producer, consumer, internal"
                )
            }
            kind = parsed
        }
        let operations = try await service.operations(service: name, kind: kind).map(Jaeger.Operation.init)
        return try Self.answer(operations, total: operations.count)
    }

    func searchTraces(_ request: Request) async throws -> Response {
        let parameters = JaegerParameters(request)
        let ids = parameters.parameters.getAll("traceID")
        if !ids.isEmpty {
            var traces: [Jaeger.Trace] = []
            for text in ids.prefix(QueryParameters.maxListValues) {
                guard let id = Self.traceID(text) else { return Self.malformedTraceID(text) }
                if let trace = try await service.trace(id) { traces.append(trace) }
            }
            return try Self.answer(traces, total: traces.count)
        }
        let search: SpanSearch
        do {
            search = try parameters.search(now: now())
        } catch {
            return Self.failure(.badRequest, error.message)
        }
        let traces = try await service.traces(search)
        return try Self.answer(traces, total: traces.count)
    }

    func trace(_ context: some RequestContext) async throws -> Response {
        let text = try context.parameters.require("traceID")
        guard let id = Self.traceID(text) else { return Self.malformedTraceID(text) }
        guard let trace = try await service.trace(id) else { return Self.failure(.notFound, "trace not found") }
        return try Self.answer([trace], total: 1)
    }

    func dependencies(_ request: Request) async throws -> Response {
        let window: ClosedRange<UInt64>
        do {
            window = try JaegerParameters(request).dependencyWindow(now: now())
        } catch {
            return Self.failure(.badRequest, error.message)
        }
        return try Self.answer(try await service.dependencies(since: window.lowerBound, until: window.upperBound))
    }

    /// A trace id as Jaeger takes it: 1 to 32 hex digits (shorter ones zero-padded on the
    /// left), not all zero.
    static func traceID(_ text: String) -> TraceID? {
        guard (1...32).contains(text.utf8.count) else { return nil }
        guard let id = TraceID(hex: String(repeating: "0", count: 32 - text.utf8.count) + text.lowercased()), id.isValid else { return nil }
        return id
    }

    static func malformedTraceID(_ text: String) -> Response {
        failure(.badRequest, "malformed trace id: 1 to 32 hex digits, not all zero, are expected; got \(QueryParameters.quoted(text))")
    }

    static func answer(_ data: some Encodable & Sendable, total: Int = 0) throws -> Response {
        try QueryRoutes.json(.ok, Jaeger.Response(data: data, total: total))
    }

    static func failure(_ status: HTTPResponse.Status, _ message: String) -> Response {
        (try? QueryRoutes.json(status, Jaeger.failure(code: status.code, message))) ?? Response(status: status)
    }
}
