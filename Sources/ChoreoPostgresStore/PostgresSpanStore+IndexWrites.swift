import ChoreoModel
import ChoreoStore
import PostgresNIO

extension PostgresSpanStore {
    public func upsertSummaries(_ summaries: [FlowSummary], clearing: [DirtyFlow]) async throws {
        guard !summaries.isEmpty || !clearing.isEmpty else { return }
        let entries = summaries.map { IndexEntry($0, trail: nil, due: nil, sampledOut: nil) }
        try await perform("writing \(summaries.count) flow summaries") { [self] in try await write(entries, clearing: clearing, withTrails: false) }
    }

    public func upsertFlows(_ flows: [IndexedFlow], clearing: [DirtyFlow]) async throws {
        guard !flows.isEmpty || !clearing.isEmpty else { return }
        let entries = flows.map { IndexEntry($0.summary, trail: $0.trail, due: $0.dueAtUnixNano, sampledOut: $0.sampledOutAtUnixNano) }
        try await perform("writing \(flows.count) flow index entries") { [self] in try await write(entries, clearing: clearing, withTrails: true) }
    }

    /// Writes index entries (summaries with their types and services, and trails, due times and
    /// sampling marks when `withTrails`; a plain summary clears the due time and keeps the
    /// trail), deletes the spans of the entries sampled out but their error spans (by
    /// correlation id, an index lookup), clears the dirty marks whose version did not move, and
    /// releases the claims of `clearing`: one transaction. The entries travel as one bound JSON
    /// document; the last entry of a flow wins.
    ///
    /// A flow whose mark in `clearing` carries a claim is written (and its mark cleared) only if
    /// its dirty mark still carries that claim: the transaction first locks those marks
    /// (`FOR UPDATE`), so no other collector can take a claim over while it writes, and a claim
    /// already taken over (or a mark already cleared by the collector that took it) leaves the
    /// newer entry alone.
    private func write(_ entries: [IndexEntry], clearing: [DirtyFlow], withTrails: Bool) async throws {
        let claimed = clearing.filter { $0.claim != nil }
        var claims = Self.binds(claimed.map { PostgresText.clean($0.correlationID) })
        claims.append(claimed.map { $0.claim ?? 0 })
        let lock = """
            SELECT d.correlation_id FROM \(table("dirty_flows")) d JOIN unnest($1::text[], $2::int8[]) AS m(c, claim)
            ON d.correlation_id = m.c AND d.claim = m.claim ORDER BY d.correlation_id FOR UPDATE OF d
            """
        let release = releaseSQL
        let claimedIDs = Set(claimed.map { PostgresText.clean($0.correlationID) })
        try await retryingConflicts {
            try await transaction { [self] connection in
                var lost = claimedIDs
                if !claimed.isEmpty {
                    for row in try await run(PostgresQuery(unsafeSQL: lock, binds: claims), on: connection) {
                        lost.remove(try row.decode(String.self))
                    }
                }
                let writing = entries.filter { !lost.contains($0.c) }
                let clearingHeld = clearing.filter { !lost.contains(PostgresText.clean($0.correlationID)) }
                if !writing.isEmpty || !clearingHeld.isEmpty {
                    try await run(upsert(writing, clearing: clearingHeld, withTrails: withTrails), on: connection)
                }
                if !claimed.isEmpty { try await run(PostgresQuery(unsafeSQL: release, binds: claims), on: connection) }
            }
        }
    }

    /// The statement that writes entries and clears the marks of `clearing` whose version did
    /// not move.
    private func upsert(_ entries: [IndexEntry], clearing: [DirtyFlow], withTrails: Bool) -> PostgresQuery {
        var latest: [String: Int] = [:]
        for (index, entry) in entries.enumerated() { latest[entry.c] = index }
        let unique = entries.indices.filter { latest[entries[$0].c] == $0 }.map { entries[$0] }
        let document = IndexEntryJSON.document(unique)
        var binds = Self.binds(document)
        binds.append(clearing.map { PostgresText.clean($0.correlationID) })
        binds.append(clearing.map(\.version))
        let onConflict =
            withTrails
            ? "trail_types = excluded.trail_types, trail_services = excluded.trail_services, trail_times = excluded.trail_times, due_ns = excluded.due_ns, "
                + "sampled_out_ns = excluded.sampled_out_ns"
            : "due_ns = NULL"
        let sql = """
            WITH x AS (
                SELECT * FROM json_to_recordset($1::json) AS x(
                    c text, status text, outcome text, started bigint, last bigint, steps bigint, compensations bigint,
                    errors bigint, waiting text, services text[], types text[], trail_types text[], trail_services text[],
                    trail_times bigint[], due bigint, sampled bigint)),
            summaries AS (
                INSERT INTO \(table("flow_summaries")) AS s (correlation_id, status, outcome, started_ns, last_activity_ns, step_count,
                    compensation_count, error_count, waiting_for, services, types, trail_types, trail_services, trail_times, due_ns,
                    sampled_out_ns)
                SELECT c, status, outcome, started, last, steps, compensations, errors, waiting, services, types,
                    trail_types, trail_services, trail_times, due, sampled FROM x
                ON CONFLICT (correlation_id) DO UPDATE SET
                    status = excluded.status, outcome = excluded.outcome, started_ns = excluded.started_ns,
                    last_activity_ns = excluded.last_activity_ns, step_count = excluded.step_count,
                    compensation_count = excluded.compensation_count, error_count = excluded.error_count,
                    waiting_for = excluded.waiting_for, services = excluded.services, types = excluded.types, \(onConflict)),
            sampled_out AS (
                DELETE FROM \(table("spans")) p USING x
                WHERE x.sampled IS NOT NULL AND p.correlation_id = x.c AND p.status <> 'error'),
            cleared AS (
                DELETE FROM \(table("dirty_flows")) d USING unnest($2::text[], $3::int8[]) AS m(c, version)
                WHERE d.correlation_id = m.c AND d.version = m.version)
            SELECT 1
            """
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}

/// One flow index entry as the JSON object the upsert reads with `json_to_recordset` (text JSON:
/// parsed once, cheaper than building `jsonb`), written by ``IndexEntryJSON``; `Encodable` gives
/// the same object through Foundation, which its tests compare with.
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
    /// Set when tail sampling drops the flow: its spans are deleted in the same statement.
    var sampled: Int64?

    init(_ summary: FlowSummary, trail: [FlowTrail.Step]?, due: UInt64?, sampledOut: UInt64?) {
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
        self.sampled = sampledOut.map(PostgresSpanStore.storedNanos)
    }
}
