import ChoreoModel
import ChoreoStore
import Foundation
import PostgresNIO

extension PostgresSpanStore {
    public func upsertSummaries(_ summaries: [FlowSummary], clearing: [DirtyFlow]) async throws {
        guard !summaries.isEmpty || !clearing.isEmpty else { return }
        let entries = summaries.map { IndexEntry($0, trail: nil, due: nil) }
        try await perform("writing \(summaries.count) flow summaries") { [self] in try await write(entries, clearing: clearing, withTrails: false) }
    }

    public func upsertFlows(_ flows: [IndexedFlow], clearing: [DirtyFlow]) async throws {
        guard !flows.isEmpty || !clearing.isEmpty else { return }
        let entries = flows.map { IndexEntry($0.summary, trail: $0.trail, due: $0.dueAtUnixNano) }
        try await perform("writing \(flows.count) flow index entries") { [self] in try await write(entries, clearing: clearing, withTrails: true) }
    }

    /// Writes index entries (summaries, and trails and due times when `withTrails`; a plain
    /// summary clears the due time and keeps the trail), replaces their type and service rows,
    /// and clears the dirty marks whose version did not move: one statement, one transaction.
    /// The entries travel as one bound JSON document; the last entry of a flow wins.
    private func write(_ entries: [IndexEntry], clearing: [DirtyFlow], withTrails: Bool) async throws {
        var latest: [String: Int] = [:]
        for (index, entry) in entries.enumerated() { latest[entry.c] = index }
        let unique = entries.indices.filter { latest[entries[$0].c] == $0 }.map { entries[$0] }
        let document = String(decoding: try JSONEncoder().encode(unique), as: UTF8.self)
        var binds = Self.binds(document)
        binds.append(clearing.map { PostgresText.clean($0.correlationID) })
        binds.append(clearing.map(\.version))
        let onConflict =
            withTrails
            ? "trail_types = excluded.trail_types, trail_services = excluded.trail_services, trail_times = excluded.trail_times, due_ns = excluded.due_ns"
            : "due_ns = NULL"
        let sql = """
            WITH x AS (
                SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
                    c text, status text, outcome text, started bigint, last bigint, steps bigint, compensations bigint,
                    errors bigint, waiting text, services text[], types text[], trail_types text[], trail_services text[],
                    trail_times bigint[], due bigint)),
            summaries AS (
                INSERT INTO \(table("flow_summaries")) AS s (correlation_id, status, outcome, started_ns, last_activity_ns, step_count,
                    compensation_count, error_count, waiting_for, services, types, trail_types, trail_services, trail_times, due_ns)
                SELECT c, status, outcome, started, last, steps, compensations, errors, waiting, services, types,
                    trail_types, trail_services, trail_times, due FROM x
                ON CONFLICT (correlation_id) DO UPDATE SET
                    status = excluded.status, outcome = excluded.outcome, started_ns = excluded.started_ns,
                    last_activity_ns = excluded.last_activity_ns, step_count = excluded.step_count,
                    compensation_count = excluded.compensation_count, error_count = excluded.error_count,
                    waiting_for = excluded.waiting_for, services = excluded.services, types = excluded.types, \(onConflict)),
            new_types AS (SELECT DISTINCT x.c, t.type, x.last FROM x, unnest(x.types) AS t(type)),
            old_types AS (
                DELETE FROM \(table("flow_types")) f USING x WHERE f.correlation_id = x.c
                AND NOT EXISTS (SELECT 1 FROM new_types n WHERE n.c = f.correlation_id AND n.type = f.type)),
            added_types AS (
                INSERT INTO \(table("flow_types")) (correlation_id, type, last_activity_ns) SELECT c, type, last FROM new_types
                ON CONFLICT (correlation_id, type) DO UPDATE SET last_activity_ns = excluded.last_activity_ns),
            new_services AS (SELECT DISTINCT x.c, v.service, x.last FROM x, unnest(x.services) AS v(service)),
            old_services AS (
                DELETE FROM \(table("flow_services")) f USING x WHERE f.correlation_id = x.c
                AND NOT EXISTS (SELECT 1 FROM new_services n WHERE n.c = f.correlation_id AND n.service = f.service)),
            added_services AS (
                INSERT INTO \(table("flow_services")) (correlation_id, service, last_activity_ns) SELECT c, service, last FROM new_services
                ON CONFLICT (correlation_id, service) DO UPDATE SET last_activity_ns = excluded.last_activity_ns),
            cleared AS (
                DELETE FROM \(table("dirty_flows")) d USING unnest($2::text[], $3::int8[]) AS m(c, version)
                WHERE d.correlation_id = m.c AND d.version = m.version)
            SELECT 1
            """
        try await retryingConflicts { try await query(PostgresQuery(unsafeSQL: sql, binds: binds)) }
    }
}

/// One flow index entry as the JSON object the upsert reads with `jsonb_to_recordset`.
struct IndexEntry: Encodable, Sendable {
    var c: String
    var status: String
    var outcome: String?
    var started: Int64
    var last: Int64
    var steps: Int64
    var compensations: Int64
    var errors: Int64
    var waiting: String?
    var services: [String]
    var types: [String]
    var trail_types: [String]?
    var trail_services: [String]?
    var trail_times: [Int64]?
    var due: Int64?

    init(_ summary: FlowSummary, trail: [FlowTrail.Step]?, due: UInt64?) {
        c = PostgresText.clean(summary.correlationID)
        status = summary.status.rawValue
        outcome = summary.outcome.map { PostgresText.clean($0) }
        started = PostgresSpanStore.storedNanos(summary.startedAtUnixNano)
        last = PostgresSpanStore.storedNanos(summary.lastActivityAtUnixNano)
        steps = Int64(summary.stepCount)
        compensations = Int64(summary.compensationCount)
        errors = Int64(summary.errorCount)
        waiting = summary.waitingFor.map { PostgresText.clean($0) }
        services = PostgresText.clean(summary.services)
        types = PostgresText.clean(summary.types)
        trail_types = trail.map { PostgresText.clean($0.map(\.type)) }
        trail_services = trail.map { PostgresText.clean($0.map(\.service)) }
        trail_times = trail.map { $0.map { PostgresSpanStore.storedNanos($0.publishedAtUnixNano) } }
        self.due = due.map(PostgresSpanStore.storedNanos)
    }
}
