import ChoreoFlows
import ChoreoModel
import ChoreoStore

extension CollectorClient: QuerySource {
    /// `GET /api/v1/map`.
    public func map(_ query: FlowListQuery) async throws -> ProcessMap {
        let url = endpoint.mapURL(query)
        let (status, body) = try await get(url)
        return try CollectorResponse.decode(ProcessMap.self, status: status, body: body, url: url, notFound: nil)
    }

    /// `GET /api/v1/variants`.
    public func variants(_ query: FlowListQuery, top: Int?) async throws -> VariantReport {
        let url = endpoint.variantsURL(query, top: top)
        let (status, body) = try await get(url)
        return try CollectorResponse.decode(VariantReport.self, status: status, body: body, url: url, notFound: nil)
    }

    /// `GET /api/v1/map/export?format=xes`: the XES document as the collector wrote it.
    public func xes(_ query: FlowListQuery) async throws -> String {
        let url = endpoint.xesURL(query)
        let (status, body) = try await get(url)
        guard status == 200 else {
            _ = try CollectorResponse.decode(String.self, status: status, body: body, url: url, notFound: nil)
            throw CLIError(.unexpectedResponse, "the collector at \(url) answered with status \(status)")
        }
        return String(decoding: body, as: UTF8.self)
    }

    /// `GET /api/v1/traces?...`.
    public func traces(_ query: TraceQuery) async throws -> [TraceSummary] {
        let url = endpoint.tracesURL(query)
        let (status, body) = try await get(url)
        return try CollectorResponse.decode([TraceSummary].self, status: status, body: body, url: url, notFound: nil)
    }
}
