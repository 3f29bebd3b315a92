import ChoreoModel

/// Where the collector's query API lives, and the URLs of its three queries.
///
/// Built from `--collector` (or `CHOREO_COLLECTOR`) and `--token` (or `CHOREO_TOKEN`); validated
/// up front so a bad URL is a usage error (exit 2) rather than a failed connection.
public struct CollectorEndpoint: Sendable, Hashable {
    /// The collector used when neither `--collector` nor `CHOREO_COLLECTOR` is given.
    public static let defaultURL = "http://127.0.0.1:4320"

    /// The base URL without a trailing slash, e.g. `http://127.0.0.1:4320`.
    public var baseURL: String
    /// A bearer token sent as `Authorization: Bearer <token>`, if any.
    public var token: String?

    /// Validates `url` (http or https, with a host) and keeps `token` when it is not empty.
    public init(url: String, token: String? = nil) throws(CLIError) {
        var base = url.trimmingSpaces
        while base.hasSuffix("/") { base.removeLast() }
        let lower = base.lowercased()
        let scheme = ["http://", "https://"].first { lower.hasPrefix($0) }
        guard let scheme else {
            throw .usage("invalid collector URL \"\(url)\": expected http://HOST:PORT or https://HOST:PORT")
        }
        let rest = base.dropFirst(scheme.count)
        guard let host = rest.split(separator: "/", omittingEmptySubsequences: false).first, !host.isEmpty,
            !rest.contains("?"), !rest.contains("#"), !rest.contains(" ")
        else {
            throw .usage("invalid collector URL \"\(url)\": expected http://HOST:PORT or https://HOST:PORT")
        }
        self.baseURL = base
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Resolves flags against the environment: a flag wins over `CHOREO_COLLECTOR` / `CHOREO_TOKEN`,
    /// which win over the default URL and no token.
    public static func resolve(
        collector: String?, token: String?, environment: [String: String]
    ) throws(CLIError) -> CollectorEndpoint {
        let url = collector ?? environment["CHOREO_COLLECTOR"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultURL
        return try CollectorEndpoint(url: url, token: token ?? environment["CHOREO_TOKEN"])
    }

    /// `GET /api/v1/flows?...`: the flow list.
    public func flowsURL(_ query: FlowListQuery) -> String {
        let items = query.queryItems
        let suffix = items.isEmpty ? "" : "?" + items.map { "\($0.0)=\(PercentEncoding.encode($0.1, keeping: ",:"))" }.joined(separator: "&")
        return baseURL + "/api/v1/flows" + suffix
    }

    /// `GET /api/v1/flows/{id}`, the correlation id percent-encoded as one path segment.
    ///
    /// The ids `.` and `..` are sent as `%2E` and `%2E%2E`, so no client or proxy resolves them
    /// as dot segments.
    public func flowURL(correlationID: String) -> String {
        let segment =
            correlationID == "." || correlationID == ".."
            ? String(repeating: "%2E", count: correlationID.count)
            : PercentEncoding.encode(correlationID)
        return baseURL + "/api/v1/flows/" + segment
    }

    /// `GET /api/v1/traces/{id}`.
    public func traceURL(_ traceID: TraceID) -> String {
        baseURL + "/api/v1/traces/" + traceID.hex
    }
}

/// RFC 3986 percent-encoding of everything outside the unreserved set (`A-Z a-z 0-9 - . _ ~`).
public enum PercentEncoding {
    /// `text` with every byte outside the unreserved set as `%XX` (UTF-8, upper-case hex).
    ///
    /// `keeping` lists further ASCII characters left as they are, e.g. `,:` in a query value,
    /// where RFC 3986 allows them.
    public static func encode(_ text: String, keeping: String = "") -> String {
        let kept = Set(keeping.utf8)
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            case _ where kept.contains(byte):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
