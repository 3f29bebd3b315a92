import Foundation
import ChoreoModel

/// The FROM and WHERE clauses of a ``FlowQuery`` over `flow_summaries` (alias `s`), with its
/// values in bind order.
///
/// Only `?` placeholders vary with the query; values are always bound, never spliced.
/// A single type (or, without types, a single service) drives the query from its index row
/// `(type, last_activity_ns, correlation_id)`, so "latest N flows of type T" reads N index
/// entries whatever the table's size; further types and services are probed per flow
/// (`EXISTS` on their primary key).
struct FlowFilterSQL {
    enum Value { case text(String), integer(UInt64) }

    private(set) var from = "flow_summaries s"
    private(set) var clauses: [String] = []
    private(set) var values: [Value] = []
    /// The ORDER BY for "most recent activity first, ties by correlation id".
    private(set) var order = "s.last_activity_ns DESC, s.correlation_id"

    init(_ query: FlowQuery, includeStatuses: Bool = true) {
        var types = Array(Set(query.types)).sorted()
        var services = Array(Set(query.services)).sorted()
        if types.count == 1 {
            drive(table: "flow_types", column: "type", value: types.removeFirst())
        } else if types.isEmpty, services.count == 1 {
            drive(table: "flow_services", column: "service", value: services.removeFirst())
        }
        var statuses: [FlowStatus] = []
        for status in query.statuses where !statuses.contains(status) { statuses.append(status) }
        if includeStatuses, !statuses.isEmpty {
            clauses.append("s.status IN (\(Self.marks(statuses.count)))")
            values += statuses.map { .text($0.rawValue) }
        }
        if !types.isEmpty {
            clauses.append("EXISTS (SELECT 1 FROM flow_types t WHERE t.correlation_id = s.correlation_id AND t.type IN (\(Self.marks(types.count))))")
            values += types.map { .text($0) }
        }
        if !services.isEmpty {
            clauses.append("EXISTS (SELECT 1 FROM flow_services v WHERE v.correlation_id = s.correlation_id AND v.service IN (\(Self.marks(services.count))))")
            values += services.map { .text($0) }
        }
        if let since = query.since {
            clauses.append("s.last_activity_ns >= ?")
            values.append(.integer(since))
        }
        if let until = query.until {
            clauses.append("s.started_ns <= ?")
            values.append(.integer(until))
        }
    }

    private mutating func drive(table: String, column: String, value: String) {
        from = "\(table) d JOIN flow_summaries s ON s.correlation_id = d.correlation_id"
        clauses.append("d.\(column) = ?")
        values.append(.text(value))
        order = "d.last_activity_ns DESC, d.correlation_id"
    }

    /// ` FROM ... WHERE ...`.
    var fromWhere: String {
        " FROM \(from)" + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND "))
    }

    /// `s.`-qualified column names from a comma-separated list.
    static func qualified(_ columns: String) -> String {
        columns.split(separator: ",").map { "s." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")
    }

    /// Binds the values from index 1 and returns the next free index.
    func bind(_ statement: SQLiteStatement) throws -> Int32 {
        var index: Int32 = 1
        for value in values {
            switch value {
            case .text(let text): try statement.bind(index, text)
            case .integer(let n): try statement.bind(index, n)
            }
            index += 1
        }
        return index
    }

    private static func marks(_ n: Int) -> String {
        Array(repeating: "?", count: n).joined(separator: ", ")
    }
}
