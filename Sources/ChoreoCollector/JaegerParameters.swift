import ChoreoModel
import ChoreoStore
import Foundation
import Hummingbird

/// Parsing of the Jaeger API's query parameters as Jaeger's query service reads them: times in
/// Unix microseconds (milliseconds for `/api/dependencies`), durations in Go's notation
/// (`1.2s`, `100ms`, `1h30m`; `d` for days in `lookback`), tags as a JSON object
/// (`{"http.status_code":"500"}`), as logfmt (`error=true component="a b"`, what Grafana's
/// search form takes) or as repeated `tag=key:value`.
///
/// Every parser is total: any text gives a value or a ``QueryParameterError`` naming the
/// parameter and the reason.
struct JaegerParameters {
    /// The most traces one search returns (Jaeger UI's own maximum).
    static let maxLimit = 1_500
    /// Traces returned when `limit` is absent or 0 (Jaeger's default).
    static let defaultLimit = 100
    /// The most tags one search may name.
    static let maxTags = QueryParameters.maxListValues

    let parameters: Parameters

    init(_ request: Request) {
        parameters = request.uri.queryParameters
    }

    func string(_ name: String) -> String? {
        guard let value = parameters.get(name), !value.isEmpty else { return nil }
        return value
    }

    /// The search of `GET /api/traces`, times relative to `now` (Unix nanoseconds).
    func search(now: UInt64) throws(QueryParameterError) -> SpanSearch {
        guard let service = string("service") else { throw QueryParameterError("parameter 'service' is required") }
        var search = SpanSearch(service: service, operation: string("operation"))
        search.tags = try tags()
        let end = try microseconds("end") ?? now
        search.until = end
        if let start = try microseconds("start") {
            search.since = start
        } else if let lookback = try lookback("lookback") {
            search.since = end > lookback ? end - lookback : 0
        }
        if let since = search.since, since > end {
            throw QueryParameterError("'start' (\(since / 1_000) µs) is after 'end' (\(end / 1_000) µs)")
        }
        search.minDurationNanos = try duration("minDuration")
        search.maxDurationNanos = try duration("maxDuration")
        if let least = search.minDurationNanos, let most = search.maxDurationNanos, most < least {
            throw QueryParameterError("'maxDuration' should be greater than 'minDuration'")
        }
        let limit = try integer("limit", in: 0...Self.maxLimit) ?? 0
        search.limit = limit == 0 ? Self.defaultLimit : limit
        return search
    }

    /// The window of `GET /api/dependencies`: `endTs` (Unix milliseconds, default now) and
    /// `lookback` (milliseconds, default a day), as Unix nanoseconds.
    func dependencyWindow(now: UInt64) throws(QueryParameterError) -> ClosedRange<UInt64> {
        let end = try integer("endTs", in: 0...Int(UnixTime.latestNanos / 1_000_000)).map { UInt64($0) * 1_000_000 } ?? now
        let lookback = try integer("lookback", in: 0...Int.max).map { UInt64($0).multipliedReportingOverflow(by: 1_000_000) }
        let span = lookback.map { $0.overflow ? UInt64.max : $0.partialValue } ?? 86_400 * 1_000_000_000
        return (end > span ? end - span : 0)...end
    }

    /// Unix microseconds as nanoseconds.
    func microseconds(_ name: String) throws(QueryParameterError) -> UInt64? {
        guard let value = try integer(name, in: 0...Int(UnixTime.latestNanos / 1_000)) else { return nil }
        return UInt64(value) * 1_000
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(QueryParameterError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw QueryParameterError(
                "unable to parse param '\(name)': a whole number from \(range.lowerBound) to \(range.upperBound) is expected; got \(QueryParameters.quoted(text))"
            )
        }
        return value
    }

    /// A non-negative Go duration (`1.2s`, `100ms`, `1h30m`) as nanoseconds.
    func duration(_ name: String) throws(QueryParameterError) -> UInt64? {
        guard let text = string(name) else { return nil }
        guard let nanos = GoDuration.nanoseconds(text) else {
            throw QueryParameterError(
                "unable to parse param '\(name)': a duration such as 1.2s, 100ms or 1h30m (units ns, us, ms, s, m, h) is expected; got \(QueryParameters.quoted(text))"
            )
        }
        return nanos
    }

    /// `lookback` as Jaeger UI sends it (`1h`, `2d`; `custom` means none: start and end are given).
    func lookback(_ name: String) throws(QueryParameterError) -> UInt64? {
        guard let text = string(name), text != "custom" else { return nil }
        guard let nanos = GoDuration.nanoseconds(text, days: true) else {
            throw QueryParameterError(
                "unable to parse param '\(name)': a duration such as 1h or 2d (units ns, us, ms, s, m, h, d) is expected; got \(QueryParameters.quoted(text))"
            )
        }
        return nanos
    }

    /// `tags` (a JSON object of strings, or logfmt) and every `tag=key:value`.
    func tags() throws(QueryParameterError) -> [String: String] {
        var tags: [String: String] = [:]
        for text in parameters.getAll("tags") where !text.isEmpty {
            let parsed: [String: String]
            if text.first == "{" {
                guard let object = Self.jsonObject(text) else {
                    throw QueryParameterError(
                        "unable to parse param 'tags': a JSON object of strings ({\"key\":\"value\"}) or logfmt (key=value key2=\"value 2\") is expected; got \(QueryParameters.quoted(text))"
                    )
                }
                parsed = object
            } else {
                do {
                    parsed = try Logfmt.pairs(text)
                } catch {
                    throw QueryParameterError("unable to parse param 'tags': \(error.message); got \(QueryParameters.quoted(text))")
                }
            }
            tags.merge(parsed) { _, new in new }
        }
        for text in parameters.getAll("tag") {
            guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
                throw QueryParameterError("malformed 'tag' parameter, expecting key:value; got \(QueryParameters.quoted(text))")
            }
            tags[String(text[..<colon])] = String(text[text.index(after: colon)...])
        }
        guard tags.count <= Self.maxTags else { throw QueryParameterError("at most \(Self.maxTags) tags may be given; got \(tags.count)") }
        return tags
    }

    /// A JSON object whose values are strings, numbers or booleans, as strings; nil otherwise.
    static func jsonObject(_ text: String) -> [String: String]? {
        try? JSONDecoder().decode([String: Scalar].self, from: Data(text.utf8)).mapValues(\.text)
    }

    /// One JSON string, boolean or number, as text.
    struct Scalar: Decodable {
        var text: String

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) {
                text = String(b)
            } else if let i = try? c.decode(Int64.self) {
                text = String(i)
            } else if let d = try? c.decode(Double.self) {
                text = String(d)
            } else {
                text = try c.decode(String.self)
            }
        }
    }
}
