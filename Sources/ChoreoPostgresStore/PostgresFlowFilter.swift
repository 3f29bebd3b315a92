import ChoreoModel
import ChoreoStore
import PostgresNIO

/// The FROM and WHERE clauses of a ``FlowQuery`` over `flow_summaries` (alias `s`), with its
/// values bound (`$n`), never spliced; only the number of conditions varies the SQL text.
///
/// A single type (or, without types, a single service) drives the query from its index
/// `(type, last_activity_ns DESC, correlation_id)`, so "latest N flows of type T" reads N index
/// entries; further types and services are probed per flow (`EXISTS … = ANY($n)`).
struct PostgresFlowFilter: Sendable {
    private(set) var from: String
    private(set) var clauses: [String] = []
    private(set) var binds = PostgresBindings()
    /// "Most recent activity first, ties by correlation id".
    private(set) var order = "s.last_activity_ns DESC, s.correlation_id"

    init(_ query: FlowQuery, schema: String, includeStatuses: Bool = true) {
        from = "\(schema).flow_summaries s"
        var types = PostgresText.clean(Array(Set(query.types)).sorted())
        var services = PostgresText.clean(Array(Set(query.services)).sorted())
        if types.count == 1 {
            drive(table: "\(schema).flow_types", column: "type", value: types.removeFirst())
        } else if types.isEmpty, services.count == 1 {
            drive(table: "\(schema).flow_services", column: "service", value: services.removeFirst())
        }
        let statuses = Array(Set(query.statuses.map(\.rawValue))).sorted()
        if includeStatuses, !statuses.isEmpty {
            binds.append(statuses)
            clauses.append("s.status = ANY($\(binds.count))")
        }
        if !types.isEmpty {
            binds.append(types)
            clauses.append("EXISTS (SELECT 1 FROM \(schema).flow_types t WHERE t.correlation_id = s.correlation_id AND t.type = ANY($\(binds.count)))")
        }
        if !services.isEmpty {
            binds.append(services)
            clauses.append(
                "EXISTS (SELECT 1 FROM \(schema).flow_services v WHERE v.correlation_id = s.correlation_id AND v.service = ANY($\(binds.count)))")
        }
        if let since = query.since {
            binds.append(PostgresSpanStore.storedNanos(since))
            clauses.append("s.last_activity_ns >= $\(binds.count)")
        }
        if let until = query.until {
            binds.append(PostgresSpanStore.storedNanos(until))
            clauses.append("s.started_ns <= $\(binds.count)")
        }
    }

    private mutating func drive(table: String, column: String, value: String) {
        from = "\(table) d JOIN \(from) ON s.correlation_id = d.correlation_id"
        binds.append(value)
        clauses.append("d.\(column) = $\(binds.count)")
        order = "d.last_activity_ns DESC, d.correlation_id"
    }

    /// ` FROM … WHERE …`, with `extra` conditions added.
    func fromWhere(_ extra: String...) -> String {
        let all = clauses + extra
        return " FROM \(from)" + (all.isEmpty ? "" : " WHERE " + all.joined(separator: " AND "))
    }

    /// The bindings with `limit` appended, and its placeholder.
    func limited(_ limit: Int) -> (binds: PostgresBindings, placeholder: String) {
        var binds = binds
        binds.append(Int64(max(0, limit)))
        return (binds, "$\(binds.count)")
    }
}
