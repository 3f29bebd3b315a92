import ChoreoModel
import ChoreoStore
import Hummingbird

/// A query parameter the API cannot accept; answered with 400 and ``message``.
struct QueryParameterError: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Parsing of the query API's parameters: lists (repeated or comma-separated), times (RFC 3339
/// or Unix nanoseconds) and bounded integers.
struct QueryParameters {
    let parameters: Parameters

    init(_ request: Request) {
        parameters = request.uri.queryParameters
    }

    /// Every value of `name`, repeated or comma-separated, trimmed, without empties.
    func list(_ name: String) -> [String] {
        parameters.getAll(name).flatMap { $0.split(separator: ",") }
            .map { String($0).trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
    }

    func string(_ name: String) -> String? {
        guard let value = parameters.get(name), !value.isEmpty else { return nil }
        return value
    }

    /// A time as RFC 3339 or Unix nanoseconds.
    func time(_ name: String) throws(QueryParameterError) -> UInt64? {
        guard let text = string(name) else { return nil }
        if let nanos = UnixTime.parseRFC3339(text) ?? UInt64(text) { return nanos }
        throw QueryParameterError("\(name) must be an RFC 3339 time (e.g. 2026-11-21T10:00:00Z) or Unix nanoseconds; got \"\(text)\"")
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(QueryParameterError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw QueryParameterError("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound); got \"\(text)\"")
        }
        return value
    }

    /// The flow filters shared by the list, stats, map, variants and exports.
    func flowQuery(defaultLimit: Int, maxLimit: Int) throws(QueryParameterError) -> FlowQuery {
        var query = FlowQuery(limit: defaultLimit)
        for name in list("status") {
            guard let status = FlowStatus(rawValue: name) else {
                let valid = FlowStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw QueryParameterError("unknown status \"\(name)\"; expected one of: \(valid)")
            }
            if !query.statuses.contains(status) { query.statuses.append(status) }
        }
        query.types = list("type")
        query.services = list("service")
        query.since = try time("since")
        query.until = try time("until")
        query.limit = try integer("limit", in: 1...maxLimit) ?? defaultLimit
        return query
    }
}

extension String {
    /// The string without leading or trailing `character`s.
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var s = Substring(self)
        while s.first == character { s.removeFirst() }
        while s.last == character { s.removeLast() }
        return String(s)
    }
}
