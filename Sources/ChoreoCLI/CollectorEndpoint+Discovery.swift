import ChoreoModel
import ChoreoStore

extension CollectorEndpoint {
    /// `?a=b&c=d` of `items` (percent-encoded; `,:` kept), or nothing.
    static func queryString(_ items: [(String, String)]) -> String {
        items.isEmpty ? "" : "?" + items.map { "\($0.0)=\(PercentEncoding.encode($0.1, keeping: ",:"))" }.joined(separator: "&")
    }

    /// `GET /api/v1/map?...`.
    public func mapURL(_ query: FlowListQuery) -> String {
        baseURL + "/api/v1/map" + Self.queryString(query.queryItems)
    }

    /// `GET /api/v1/variants?...&flows=N&limit=TOP`: the flow limit travels as `flows`.
    public func variantsURL(_ query: FlowListQuery, top: Int?) -> String {
        var items = query.queryItems.filter { $0.0 != "limit" }
        if let limit = query.limit { items.append(("flows", String(limit))) }
        if let top { items.append(("limit", String(top))) }
        return baseURL + "/api/v1/variants" + Self.queryString(items)
    }

    /// `GET /api/v1/map/export?format=xes&...`.
    public func xesURL(_ query: FlowListQuery) -> String {
        baseURL + "/api/v1/map/export" + Self.queryString([("format", "xes")] + query.queryItems)
    }

    /// `GET /api/v1/traces?service=&name=&attribute=k=v&errors=true&since=&until=&limit=`.
    public func tracesURL(_ query: TraceQuery) -> String {
        var items: [(String, String)] = []
        if let service = query.service { items.append(("service", service)) }
        if let name = query.name { items.append(("name", name)) }
        for (key, value) in query.attributes.sorted(by: { $0.key < $1.key }) { items.append(("attribute", "\(key)=\(value)")) }
        if query.errorsOnly { items.append(("errors", "true")) }
        if let since = query.since { items.append(("since", UnixTime.rfc3339(since))) }
        if let until = query.until { items.append(("until", UnixTime.rfc3339(until))) }
        items.append(("limit", String(query.limit)))
        return baseURL + "/api/v1/traces" + Self.queryString(items)
    }
}
