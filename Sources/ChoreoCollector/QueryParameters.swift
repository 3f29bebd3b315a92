import ChoreoFlows
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
///
/// Every parser is total: any text gives a value or a ``QueryParameterError`` naming the
/// parameter and the reason, never a trap or a wrapped-around number.
struct QueryParameters {
    /// The most values one list parameter (`status`, `type`, `service`, `attribute`) may carry,
    /// repeated and comma-separated together.
    static let maxListValues = 100
    /// The most characters of a rejected value quoted back in an error message.
    static let maxQuotedCharacters = 200

    let parameters: Parameters

    init(_ request: Request) {
        parameters = request.uri.queryParameters
    }

    /// Every value of `name`, repeated or comma-separated, trimmed, without empties; at most
    /// ``maxListValues`` of them.
    func list(_ name: String) throws(QueryParameterError) -> [String] {
        var values: [String] = []
        for raw in parameters.getAll(name) {
            for part in raw.split(separator: ",") {
                let value = String(part).trimmingCharacters(in: " ")
                guard !value.isEmpty else { continue }
                guard values.count < Self.maxListValues else { throw Self.tooManyValues(name) }
                values.append(value)
            }
        }
        return values
    }

    /// Every value of `name` as given (repeated, not split); at most ``maxListValues``.
    func repeated(_ name: String) throws(QueryParameterError) -> [String] {
        let values = parameters.getAll(name)
        guard values.count <= Self.maxListValues else { throw Self.tooManyValues(name, commaSeparated: false) }
        return values
    }

    func string(_ name: String) -> String? {
        guard let value = parameters.get(name), !value.isEmpty else { return nil }
        return value
    }

    /// A time as RFC 3339 or Unix nanoseconds, at most ``UnixTime/latestNanos`` (the latest a
    /// store holds).
    func time(_ name: String) throws(QueryParameterError) -> UInt64? {
        guard let text = string(name) else { return nil }
        do {
            let nanos = try Self.isDecimal(text) ? Self.unixNanos(text) : UnixTime.nanos(rfc3339: text)
            return try UnixTime.requireStorable(nanos)
        } catch  where error.code == .tooLate {
            throw QueryParameterError(
                "\(name) is after 2262-04-11T23:47:16Z (year 2262), the latest time the store holds; got \(Self.quoted(text))"
            )
        } catch {
            throw QueryParameterError(
                "\(name) must be an RFC 3339 time (e.g. 2026-11-21T10:00:00Z) or Unix nanoseconds: \(error.reason); got \(Self.quoted(text))"
            )
        }
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(QueryParameterError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw QueryParameterError("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound); got \(Self.quoted(text))")
        }
        return value
    }

    /// The most step indexes one `steps_at` may name (ranges counted by their length).
    static let maxStepsAt = 10_000

    /// The page of a flow asked for (`steps_from`, `steps_limit`, `steps_at`, `traces_from`,
    /// `traces_limit`, `outline`); nil when none is given (the whole flow). `steps_at` is a
    /// comma-separated list of step indexes and inclusive ranges (`0-1,99999`), at most
    /// ``maxStepsAt`` indexes, and excludes `steps_from` and `steps_limit`.
    func flowPage() throws(QueryParameterError) -> FlowPageRequest? {
        let from = try integer("steps_from", in: 0...Int.max)
        let limit = try integer("steps_limit", in: 0...Int.max)
        let at = try stepIndexes("steps_at")
        let tracesFrom = try integer("traces_from", in: 0...Int.max)
        let tracesLimit = try integer("traces_limit", in: 0...Int.max)
        let outline = try boolean("outline")
        guard from != nil || limit != nil || at != nil || tracesFrom != nil || tracesLimit != nil || outline != nil else { return nil }
        if at != nil, from != nil || limit != nil {
            throw QueryParameterError("steps_at names the steps itself: give it without steps_from and steps_limit")
        }
        return FlowPageRequest(
            steps: at.map { .at($0) } ?? .range(from: from ?? 0, limit: limit), tracesFrom: tracesFrom ?? 0,
            tracesLimit: tracesLimit ?? FlowPageRequest.defaultTracesLimit, outline: outline ?? false)
    }

    /// `true` or `false`; nil when absent.
    func boolean(_ name: String) throws(QueryParameterError) -> Bool? {
        guard let text = string(name) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default: throw QueryParameterError("\(name) must be true or false; got \(Self.quoted(text))")
        }
    }

    /// Step indexes and inclusive ranges, comma-separated (`3,5-9`), in the order given.
    func stepIndexes(_ name: String) throws(QueryParameterError) -> [Int]? {
        guard parameters.get(name) != nil else { return nil }
        let text = parameters.getAll(name).joined(separator: ",")
        var indexes: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            let bounds = part.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { Int($0) }
            guard let low = bounds[0], low >= 0, let high = bounds.count == 2 ? bounds[1] : low, high >= low else {
                throw QueryParameterError(
                    "\(name) must list step indexes (0 or more) and ranges like 5-9, comma-separated; got \(Self.quoted(part))")
            }
            guard high - low < Self.maxStepsAt - indexes.count else {
                throw QueryParameterError("\(name) names more than \(Self.maxStepsAt) steps; ask for fewer at a time")
            }
            indexes.append(contentsOf: low...high)
        }
        return indexes
    }

    /// The flow filters shared by the list, stats, map, variants and exports.
    func flowQuery(defaultLimit: Int, maxLimit: Int) throws(QueryParameterError) -> FlowQuery {
        var query = FlowQuery(limit: defaultLimit)
        for name in try list("status") {
            guard let status = FlowStatus(rawValue: name) else {
                let valid = FlowStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw QueryParameterError("unknown status \(Self.quoted(name)); expected one of: \(valid)")
            }
            if !query.statuses.contains(status) { query.statuses.append(status) }
        }
        query.types = try list("type")
        query.services = try list("service")
        query.since = try time("since")
        query.until = try time("until")
        query.limit = try integer("limit", in: 1...maxLimit) ?? defaultLimit
        return query
    }

    /// `text` in quotes, cut to ``maxQuotedCharacters``, for an error message.
    static func quoted(_ text: some StringProtocol) -> String {
        guard text.count > maxQuotedCharacters else { return "\"\(text)\"" }
        return "\"\(text.prefix(maxQuotedCharacters))…\" (\(text.utf8.count) bytes)"
    }

    private static func tooManyValues(_ name: String, commaSeparated: Bool = true) -> QueryParameterError {
        let counted = commaSeparated ? " (repeated and comma-separated together)" : ""
        return QueryParameterError("\(name) has more than \(maxListValues) values; at most \(maxListValues) are allowed\(counted)")
    }

    private static func isDecimal(_ text: String) -> Bool {
        text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// Digits as Unix nanoseconds; a number past `UInt64` is too late, not wrapped.
    private static func unixNanos(_ digits: String) throws(TimeParseError) -> UInt64 {
        guard let nanos = UInt64(digits) else {
            throw TimeParseError(.tooLate, "the number is larger than \(UInt64.max)")
        }
        return nanos
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
