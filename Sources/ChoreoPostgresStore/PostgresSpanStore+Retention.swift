import ChoreoModel
import ChoreoStore
import PostgresNIO

extension PostgresSpanStore {
    /// Deletes spans that started before the cutoff, oldest first, with the flows they leave
    /// without spans (summary, index rows, dirty mark); creates the partitions ahead as well.
    ///
    /// A partition that ended at or before the cutoff goes whole: its flows are noted, it is
    /// detached with `DETACH PARTITION … CONCURRENTLY` (no lock that stops ingest or queries)
    /// and dropped, then its flows left without spans are forgotten, in a transaction of their
    /// own. Only in the partition the cutoff cuts are rows deleted, at most `limit` per
    /// transaction. A whole partition counts all its spans, so one call may report more than
    /// `limit`; fewer than `limit` still means nothing older is left.
    public func deleteSpans(startedBefore cutoffUnixNano: UInt64, limit: Int) async throws -> RetentionChunk {
        guard limit > 0 else { return RetentionChunk() }
        let cutoff = Self.storedNanos(cutoffUnixNano)
        return try await perform("deleting spans older than \(cutoffUnixNano)") { [self] in
            try await createPartitionsAhead(now: UnixTime.nowNanos())
            var total = RetentionChunk()
            while total.deletedSpans < limit {
                if let partition = try await refreshPartitions().expired(before: cutoff).first {
                    let chunk = try await drop(partition)
                    total.deletedSpans += chunk.deletedSpans
                    total.deletedFlows += chunk.deletedFlows
                    continue
                }
                let wanted = limit - total.deletedSpans
                let chunk = try await deleteChunk(before: cutoff, limit: wanted)
                total.deletedSpans += chunk.deletedSpans
                total.deletedFlows += chunk.deletedFlows
                if chunk.deletedSpans < wanted { break }
            }
            return total
        }
    }

    /// Drops one whole partition and forgets the flows it leaves without spans.
    private func drop(_ partition: PartitionMap.Partition) async throws -> RetentionChunk {
        let name = table(partition.name)
        // DDL and names take no parameters: the name is our schema and a partition name read from the catalog.
        let rows = try await query(
            PostgresQuery(unsafeSQL: "SELECT count(*), coalesce(array_agg(DISTINCT correlation_id) FILTER (WHERE correlation_id <> ''), '{}') FROM \(name)"))
        let (count, touched) = try rows.first?.decode((Int64, [String]).self) ?? (Int64(0), [])
        do {
            try await query(PostgresQuery(unsafeSQL: "ALTER TABLE \(table("spans")) DETACH PARTITION \(name) CONCURRENTLY"))
        } catch {
            // Another collector's retention may have taken it first: then there is nothing left to do here.
            guard try await refreshPartitions().partitions.contains(where: { $0.name == partition.name }) else { return RetentionChunk() }
            throw error
        }
        try await query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(name)"))
        partitions.withLock { map in map = PartitionMap(map.partitions.filter { $0.name != partition.name }) }
        let flows = try await transaction { connection in try await forgetEmptyFlows(touched, on: connection) }
        logger.info("dropped span partition", metadata: ["partition": "\(name)", "spans": "\(count)", "flows": "\(flows)"])
        return RetentionChunk(deletedSpans: Int(count), deletedFlows: flows)
    }

    /// Deletes at most `limit` of the oldest spans before `cutoff`, and the flows left without
    /// spans, in one transaction.
    private func deleteChunk(before cutoff: Int64, limit: Int) async throws -> RetentionChunk {
        var binds = Self.binds(cutoff)
        binds.append(Int64(limit))
        let sql = """
            WITH doomed AS (
                SELECT trace_id, span_id, start_ns, correlation_id FROM \(table("spans"))
                WHERE start_ns < $1 ORDER BY start_ns LIMIT $2)
            DELETE FROM \(table("spans")) x USING doomed d
            WHERE x.trace_id = d.trace_id AND x.span_id = d.span_id AND x.start_ns = d.start_ns AND x.correlation_id = d.correlation_id
            RETURNING x.correlation_id
            """
        return try await transaction { connection in
            let rows = try await run(PostgresQuery(unsafeSQL: sql, binds: binds), on: connection)
            var touched: Set<String> = []
            for row in rows {
                let id = try row.decode(String.self)
                if !id.isEmpty { touched.insert(id) }
            }
            // Sampled-out flows whose activity ended before the cutoff: their spans went when
            // they were decided, so no span deletion names them.
            let expired = """
                SELECT correlation_id FROM \(table("flow_summaries"))
                WHERE last_activity_ns < $1 AND sampled_out_ns IS NOT NULL ORDER BY last_activity_ns LIMIT $2
                """
            for row in try await run(PostgresQuery(unsafeSQL: expired, binds: binds), on: connection) {
                touched.insert(try row.decode(String.self))
            }
            let flows = try await forgetEmptyFlows(Array(touched), on: connection)
            return RetentionChunk(deletedSpans: rows.count, deletedFlows: flows)
        }
    }

    /// Deletes the summary and dirty mark of each flow in `ids` that has no span left; how
    /// many such flows there were.
    private func forgetEmptyFlows(_ ids: [String], on connection: PostgresConnection) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let sql = """
            WITH empty AS (
                SELECT c FROM unnest($1::text[]) AS c
                WHERE NOT EXISTS (SELECT 1 FROM \(table("spans")) WHERE correlation_id = c)),
            summaries AS (DELETE FROM \(table("flow_summaries")) WHERE correlation_id IN (SELECT c FROM empty)),
            marks AS (DELETE FROM \(table("dirty_flows")) WHERE correlation_id IN (SELECT c FROM empty))
            SELECT count(*) FROM empty
            """
        let rows = try await run(PostgresQuery(unsafeSQL: sql, binds: Self.binds(ids)), on: connection)
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    /// Commits a transaction that writes (the schema version, unchanged) as a commit of spans
    /// would, but changes no data.
    public func probeWrite() async throws {
        try await perform("probing a write") { [self] in
            try await query(
                PostgresQuery(
                    unsafeSQL: "UPDATE \(table("store_meta")) SET value = value WHERE key = 'schema_version'"))
        }
    }
}
