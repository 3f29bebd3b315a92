import ChoreoModel
import ChoreoStore
import PostgresNIO

extension PostgresSpanStore {
    /// Rereads the partitions of the spans table from the catalog.
    @discardableResult
    func refreshPartitions(on connection: PostgresConnection? = nil) async throws -> PartitionMap {
        let query: PostgresQuery = """
            SELECT c.relname::text, pg_get_expr(c.relpartbound, c.oid)
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = to_regclass(\(table("spans"))) AND NOT i.inhdetachpending
            """
        let rows: [PostgresRow]
        if let connection {
            rows = try await run(query, on: connection)
        } else {
            rows = try await self.query(query)
        }
        var found: [PartitionMap.Partition] = []
        for row in rows {
            let (name, bound) = try row.decode((String, String).self)
            guard let range = Self.range(ofBound: bound) else {
                throw StoreError(.schema, "partition \(name) of \(table("spans")) has bounds this build cannot read: \(bound)")
            }
            found.append(PartitionMap.Partition(name: name, range: range))
        }
        let map = PartitionMap(found)
        partitions.withLock { $0 = map }
        return map
    }

    /// The range of `FOR VALUES FROM ('a') TO ('b')`, as `pg_get_expr` prints it.
    static func range(ofBound bound: String) -> Range<Int64>? {
        var numbers: [Int64] = []
        var current = ""
        for character in bound + " " {
            if character.isNumber || (character == "-" && current.isEmpty) {
                current.append(character)
            } else if !current.isEmpty {
                guard let number = Int64(current) else { return nil }
                numbers.append(number)
                current = ""
            }
        }
        guard numbers.count == 2, numbers[0] < numbers[1] else { return nil }
        return numbers[0]..<numbers[1]
    }

    /// Creates the partitions that the given start times need and that do not exist yet.
    func ensurePartitions(for starts: some Sequence<Int64>) async throws {
        let width = configuration.partitionWidthNanos
        let needed = partitions.withLock { $0.missing(for: starts, width: width) }
        guard !needed.isEmpty else { return }
        let lockKey = "choreo-store:\(configuration.schema):partitions"
        try await transaction { connection in
            // One creator at a time across collectors; what another created meanwhile counts.
            try await run("SELECT pg_advisory_xact_lock(hashtext(\(lockKey)))", on: connection)
            let current = try await refreshPartitions(on: connection)
            for range in current.missing(for: needed.map(\.lowerBound), width: width) {
                try await createPartition(range, on: connection)
            }
        }
        try await refreshPartitions()
    }

    /// Creates the partitions from now to ``PostgresStoreConfiguration/partitionsAhead`` widths ahead.
    func createPartitionsAhead(now: UInt64) async throws {
        let width = configuration.partitionWidthNanos
        let start = Self.storedNanos(now)
        let ahead = (0...configuration.partitionsAhead).map { start > Int64.max - Int64($0) * width ? Int64.max - 1 : start + Int64($0) * width }
        try await ensurePartitions(for: ahead)
    }

    /// Creates one partition as a table of its own, then attaches it: attaching takes only a
    /// `SHARE UPDATE EXCLUSIVE` lock on the spans table, so ingest and queries go on meanwhile.
    private func createPartition(_ range: Range<Int64>, on connection: PostgresConnection) async throws {
        let name = table(PartitionMap.name(lower: range.lowerBound))
        // DDL takes no parameters: the name is built from our schema and an integer, the bounds are integers.
        try await run(
            PostgresQuery(unsafeSQL: "CREATE TABLE IF NOT EXISTS \(name) (LIKE \(table("spans")) INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"), on: connection
        )
        try await run(
            PostgresQuery(
                unsafeSQL: "ALTER TABLE \(table("spans")) ATTACH PARTITION \(name) FOR VALUES FROM (\(range.lowerBound)) TO (\(range.upperBound))"),
            on: connection
        )
        logger.debug("created span partition", metadata: ["partition": "\(name)", "from": "\(range.lowerBound)", "to": "\(range.upperBound)"])
    }

    /// A Unix-nanosecond time as stored (`bigint`): later than `Int64.max` is `Int64.max - 1`,
    /// so every time has a partition slot.
    static func storedNanos(_ nanos: UInt64) -> Int64 {
        nanos >= UInt64(Int64.max) ? Int64.max - 1 : Int64(nanos)
    }
}
