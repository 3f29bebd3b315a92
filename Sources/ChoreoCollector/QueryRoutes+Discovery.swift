import ChoreoFlows
import ChoreoModel
import ChoreoQuery
import ChoreoStore
import Foundation
import Hummingbird

/// Discovery and export routes: counts per status, the process map, variants, exports.
///
/// - `GET /api/v1/flows/stats?since=&until=` → `{"by_status": {...}, "total": n}`
/// - `GET /api/v1/map?since=&until=&limit=` → the process map JSON (plus `"flows"`)
/// - `GET /api/v1/variants?since=&until=&limit=` → `{"flows", "variants": [...]}`; `limit`
///   caps the variants listed, `flows` the flows read (default 10000)
/// - `GET /api/v1/map/export?format=mermaid|dot|json|xes` → the map as text, or XES of the flows
/// - `GET /api/v1/flows/{id}/export?format=mermaid|dot|json|xes` → one flow
///
/// Every discovery route reads flow trails from the index (no rebuild from spans) and accepts
/// the flow filters of `GET /api/v1/flows` (status, type, service).
extension QueryRoutes {
    /// Flows read for discovery when no `limit` is given, and at most.
    static let defaultDiscoveryFlows = QueryService.defaultDiscoveryFlows
    static let maxDiscoveryFlows = QueryService.maxDiscoveryFlows

    func flowStats(_ request: Request, context: some RequestContext) async throws -> Response {
        let query: FlowQuery
        do { query = try QueryParameters(request).flowQuery(defaultLimit: 1, maxLimit: 1) } catch { return Self.error(.badRequest, error.message) }
        return try json(.ok, try await service.stats(query))
    }

    func processMap(_ request: Request, context: some RequestContext) async throws -> Response {
        do {
            return try json(.ok, try await discover(request).map)
        } catch let error as QueryParameterError {
            return Self.error(.badRequest, error.message)
        }
    }

    func variants(_ request: Request, context: some RequestContext) async throws -> Response {
        do {
            let parameters = QueryParameters(request)
            let shown = try parameters.integer("limit", in: 1...100_000)
            var query = try parameters.flowQuery(defaultLimit: Self.defaultDiscoveryFlows, maxLimit: Self.maxDiscoveryFlows)
            query.limit = try parameters.integer("flows", in: 1...Self.maxDiscoveryFlows) ?? Self.defaultDiscoveryFlows
            return try json(.ok, try await service.discovery(query).variantReport.prefix(shown))
        } catch let error as QueryParameterError {
            return Self.error(.badRequest, error.message)
        }
    }

    func exportMap(_ request: Request, context: some RequestContext) async throws -> Response {
        do {
            let format = try ExportFormat(QueryParameters(request).string("format"))
            if format == .xes {
                let query = try QueryParameters(request).flowQuery(defaultLimit: Self.defaultDiscoveryFlows, maxLimit: Self.maxDiscoveryFlows)
                return Self.text(FlowExport.xes(try await service.trails(query)), contentType: ExportFormat.xes.contentType)
            }
            let map = try await discover(request).map
            switch format {
            case .mermaid: return Self.text(FlowExport.mermaidMap(map), contentType: format.contentType)
            case .dot: return Self.text(FlowExport.dot(map), contentType: format.contentType)
            case .json, .xes: return try json(.ok, map)
            }
        } catch let error as QueryParameterError {
            return Self.error(.badRequest, error.message)
        }
    }

    func exportFlow(_ request: Request, context: some RequestContext) async throws -> Response {
        let format: ExportFormat
        do { format = try ExportFormat(QueryParameters(request).string("format")) } catch { return Self.error(.badRequest, error.message) }
        switch try await flow(context) {
        case .failure(let error): return Self.error(error.status, error.message)
        case .success(let flow):
            switch format {
            case .mermaid: return Self.text(FlowExport.mermaidSequence(flow), contentType: format.contentType)
            case .dot: return Self.text(FlowExport.dot(flow), contentType: format.contentType)
            case .xes: return Self.text(FlowExport.xes([flow.trail]), contentType: format.contentType)
            case .json: return json(.ok, bytes: flow.jsonBytes())
            }
        }
    }

    /// Discovery over the flows the request's filters select (default the latest 10000).
    private func discover(_ request: Request) async throws -> ProcessDiscovery {
        let query = try QueryParameters(request).flowQuery(defaultLimit: Self.defaultDiscoveryFlows, maxLimit: Self.maxDiscoveryFlows)
        return try await service.discovery(query)
    }

    static func text(_ body: String, contentType: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

/// The export formats of the `export` routes.
enum ExportFormat: String, CaseIterable {
    case mermaid, dot, json, xes

    init(_ text: String?) throws(QueryParameterError) {
        guard let text else {
            self = .json
            return
        }
        guard let format = ExportFormat(rawValue: text.lowercased()) else {
            throw QueryParameterError("format must be one of mermaid, dot, json, xes; got \(QueryParameters.quoted(text))")
        }
        self = format
    }

    var contentType: String {
        switch self {
        case .mermaid: "text/vnd.mermaid; charset=utf-8"
        case .dot: "text/vnd.graphviz; charset=utf-8"
        case .json: "application/json"
        case .xes: "application/xml; charset=utf-8"
        }
    }
}
