import ChoreoModel
import ChoreoStore
import Hummingbird

extension QueryRoutes {
    /// `GET /api/v1/traces?service=&name=&attribute=key=value&errors=true&since=&until=&limit=`:
    /// traces with a span matching every condition, newest first (default 20, at most 1000).
    func searchTraces(_ request: Request, context: some RequestContext) async throws -> Response {
        let parameters = QueryParameters(request)
        var query = TraceQuery()
        do {
            query.service = parameters.string("service")
            query.name = parameters.string("name")
            for pair in try parameters.repeated("attribute") {
                guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                    throw QueryParameterError("attribute must be key=value; got \(QueryParameters.quoted(pair))")
                }
                query.attributes[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            if let errors = parameters.string("errors") {
                guard let flag = Bool(errors) else { throw QueryParameterError("errors must be true or false; got \(QueryParameters.quoted(errors))") }
                query.errorsOnly = flag
            }
            query.since = try parameters.time("since")
            query.until = try parameters.time("until")
            query.limit = try parameters.integer("limit", in: 1...1_000) ?? 20
        } catch let error as QueryParameterError {
            return Self.error(.badRequest, error.message)
        }
        return try json(.ok, try await service.traces(query))
    }
}
