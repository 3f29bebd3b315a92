import ChoreoModel
import ChoreoStore
import PostgresNIO

/// The FROM and WHERE clauses of a ``FlowQuery`` over `flow_summaries` (alias `s`), with its
/// values bound (`$n`), never spliced; only the number of conditions varies the SQL text.
///
/// Types and services are matched on the summary's own arrays (`s.types && $n`: any of them),
/// which GIN indexes serve; the planner walks the activity index and filters when the type is
/// common, or takes the flows of a rare type from its GIN index and sorts them
/// (docs/postgres-store.md, Listing by type and service).
struct PostgresFlowFilter: Sendable {
    let from: String
    private(set) var clauses: [String] = []
    private(set) var binds = PostgresBindings()
    /// "Most recent activity first, ties by correlation id".
    let order = "s.last_activity_ns DESC, s.correlation_id"

    init(_ query: FlowQuery, schema: String, includeStatuses: Bool = true) {
        from = "\(schema).flow_summaries s"
        let types = PostgresText.clean(Array(Set(query.types)).sorted())
        let services = PostgresText.clean(Array(Set(query.services)).sorted())
        let statuses = Array(Set(query.statuses.map(\.rawValue))).sorted()
        if includeStatuses, !statuses.isEmpty {
            binds.append(statuses)
            clauses.append("s.status = ANY($\(binds.count))")
        }
        if !types.isEmpty {
            binds.append(types)
            clauses.append("s.types && $\(binds.count)::text[]")
        }
        if !services.isEmpty {
            binds.append(services)
            clauses.append("s.services && $\(binds.count)::text[]")
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
