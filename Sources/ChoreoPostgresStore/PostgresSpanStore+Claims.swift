import ChoreoModel
import ChoreoStore
import PostgresNIO

extension PostgresSpanStore {
    /// Claims dirty flows with `FOR UPDATE SKIP LOCKED`: each candidate row is locked by the
    /// claiming statement (rows another collector is claiming at that moment are skipped, not
    /// waited for), and a row whose claim another statement committed meanwhile is checked again
    /// and left out. One statement, one transaction.
    public func claimDirtyFlows(at unixNano: UInt64, limit: Int, lease: Duration) async throws -> [DirtyFlow] {
        var binds = Self.binds(Self.storedNanos(unixNano))
        binds.append(Int64(max(0, limit)))
        binds.append(Self.storedNanos(Self.end(of: lease, from: unixNano)))
        let sql = """
            WITH token AS (SELECT nextval('\(table("claim_seq"))') AS id),
            picked AS (
                SELECT correlation_id FROM \(table("dirty_flows"))
                WHERE claimed_until IS NULL OR claimed_until <= $1
                ORDER BY first_marked, correlation_id LIMIT $2 FOR UPDATE SKIP LOCKED),
            claimed AS (
                UPDATE \(table("dirty_flows")) d SET claim = token.id, claimed_until = $3 FROM picked, token
                WHERE d.correlation_id = picked.correlation_id
                RETURNING d.correlation_id, d.version, d.claim, d.first_marked)
            SELECT correlation_id, version, claim FROM claimed ORDER BY first_marked, correlation_id
            """
        return try await perform("claiming dirty flows") { [self, binds] in
            try Self.marks(try await query(PostgresQuery(unsafeSQL: sql, binds: binds)))
        }
    }

    /// Claims due flows by turning them into claimed dirty marks (a new mark, or the flow's
    /// unclaimed one) and clearing their due time, in one statement: a collector that dies
    /// before writing them leaves dirty marks, which another claims once the lease ran out.
    /// Two collectors claiming the same due flow meet on its dirty mark's key: the second
    /// finds it claimed and leaves it.
    public func claimDueFlows(at unixNano: UInt64, limit: Int, lease: Duration) async throws -> [DirtyFlow] {
        var binds = Self.binds(Self.storedNanos(unixNano))
        binds.append(Int64(max(0, limit)))
        binds.append(Self.storedNanos(Self.end(of: lease, from: unixNano)))
        let sql = """
            WITH token AS (SELECT nextval('\(table("claim_seq"))') AS id),
            due AS (
                SELECT s.correlation_id, s.due_ns FROM \(table("flow_summaries")) s
                WHERE s.due_ns IS NOT NULL AND s.due_ns <= $1
                AND NOT EXISTS (
                    SELECT 1 FROM \(table("dirty_flows")) h WHERE h.correlation_id = s.correlation_id AND h.claimed_until > $1)
                ORDER BY s.due_ns, s.correlation_id LIMIT $2),
            version AS (SELECT nextval('\(table("dirty_version"))') AS v WHERE EXISTS (SELECT 1 FROM due)),
            claimed AS (
                INSERT INTO \(table("dirty_flows")) AS d (correlation_id, version, first_marked, claim, claimed_until)
                SELECT due.correlation_id, version.v, version.v, token.id, $3 FROM due, version, token ORDER BY due.correlation_id
                ON CONFLICT (correlation_id) DO UPDATE SET claim = excluded.claim, claimed_until = excluded.claimed_until
                WHERE d.claimed_until IS NULL OR d.claimed_until <= $1
                RETURNING d.correlation_id, d.version, d.claim),
            undue AS (
                UPDATE \(table("flow_summaries")) s SET due_ns = NULL FROM claimed WHERE s.correlation_id = claimed.correlation_id)
            SELECT c.correlation_id, c.version, c.claim FROM claimed c JOIN due ON due.correlation_id = c.correlation_id
            ORDER BY due.due_ns, c.correlation_id
            """
        return try await perform("claiming due flows") { [self, binds] in
            try await retryingConflicts { try Self.marks(try await query(PostgresQuery(unsafeSQL: sql, binds: binds))) }
        }
    }

    public func releaseClaims(_ marks: [DirtyFlow]) async throws {
        let claimed = marks.filter { $0.claim != nil }
        guard !claimed.isEmpty else { return }
        var binds = Self.binds(claimed.map { PostgresText.clean($0.correlationID) })
        binds.append(claimed.map { $0.claim ?? 0 })
        try await perform("releasing \(claimed.count) claims") { [self, binds] in
            try await retryingConflicts { try await query(PostgresQuery(unsafeSQL: releaseSQL, binds: binds)) }
        }
    }

    /// Releases the claims of the bound (correlation ids, claims) that still hold.
    var releaseSQL: String {
        """
        UPDATE \(table("dirty_flows")) d SET claim = NULL, claimed_until = NULL
        FROM unnest($1::text[], $2::int8[]) AS m(c, claim) WHERE d.correlation_id = m.c AND d.claim = m.claim
        """
    }

    /// Claimed marks from rows of (correlation id, version, claim).
    static func marks(_ rows: [PostgresRow]) throws -> [DirtyFlow] {
        try rows.map { row in
            let (id, version, claim) = try row.decode((String, Int64, Int64).self)
            return DirtyFlow(correlationID: id, version: version, claim: claim)
        }
    }

    /// `from + lease` in Unix nanoseconds, saturating; a negative lease is none.
    static func end(of lease: Duration, from: UInt64) -> UInt64 {
        let (seconds, attoseconds) = lease.components
        guard seconds >= 0, attoseconds >= 0 else { return from }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let (nanos, carry) = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        let (end, past) = from.addingReportingOverflow(nanos)
        return overflow || carry || past ? .max : end
    }
}
