import ChoreoModel
import ChoreoStore
import Foundation
import NIOCore
import PostgresNIO

extension PostgresSpanStore {
    static let summaryColumns = """
        s.correlation_id, s.status, s.outcome, s.started_ns, s.last_activity_ns, s.step_count,
        s.compensation_count, s.error_count, s.waiting_for, s.services, s.types
        """

    public func flowSummary(correlationID: String) async throws -> FlowSummary? {
        try await perform("reading the summary of flow \(correlationID)") { [self] in
            let rows = try await query(
                PostgresQuery(
                    unsafeSQL: "SELECT \(Self.summaryColumns) FROM \(table("flow_summaries")) s WHERE s.correlation_id = $1",
                    binds: Self.binds(PostgresText.clean(correlationID))))
            return try rows.first.map(Self.summary)
        }
    }

    public func flowSummaries(_ query: FlowQuery) async throws -> [FlowSummary] {
        let filter = PostgresFlowFilter(query, schema: configuration.schema)
        let (binds, limit) = filter.limited(query.limit)
        return try await perform("listing flows") { [self] in
            let rows = try await self.query(
                PostgresQuery(unsafeSQL: "SELECT \(Self.summaryColumns)\(filter.fromWhere()) ORDER BY \(filter.order) LIMIT \(limit)", binds: binds))
            return try rows.map(Self.summary)
        }
    }

    public func flowTrails(_ query: FlowQuery) async throws -> [FlowTrail] {
        let filter = PostgresFlowFilter(query, schema: configuration.schema)
        let (binds, limit) = filter.limited(query.limit)
        return try await perform("reading flow trails") { [self] in
            let rows = try await self.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT s.correlation_id, s.trail_types, s.trail_services, s.trail_times\(filter.fromWhere("s.trail_types IS NOT NULL"))
                        ORDER BY \(filter.order) LIMIT \(limit)
                        """, binds: binds))
            return try rows.map { row in
                let (id, types, services, times) = try row.decode((String, [String], [String], [Int64]).self)
                guard types.count == services.count, types.count == times.count else {
                    throw StoreError(.corruptRecord, "the trail of flow \(id) has columns of different lengths")
                }
                let steps = types.indices.map {
                    FlowTrail.Step(type: types[$0], service: services[$0], publishedAtUnixNano: UInt64(max(0, times[$0])))
                }
                return FlowTrail(correlationID: id, steps: steps)
            }
        }
    }

    public func flowCounts(_ query: FlowQuery) async throws -> [FlowStatus: Int] {
        let filter = PostgresFlowFilter(query, schema: configuration.schema, includeStatuses: false)
        return try await perform("counting flows") { [self] in
            let rows = try await self.query(
                PostgresQuery(unsafeSQL: "SELECT s.status, count(*)\(filter.fromWhere()) GROUP BY s.status", binds: filter.binds))
            var counts: [FlowStatus: Int] = [:]
            for row in rows {
                let (status, count) = try row.decode((String, Int64).self)
                if let status = FlowStatus(rawValue: status) { counts[status] = Int(count) }
            }
            return counts
        }
    }

    public func dirtyFlows(limit: Int) async throws -> [DirtyFlow] {
        try await perform("reading dirty flows") { [self] in
            let rows = try await query(
                PostgresQuery(
                    unsafeSQL: "SELECT correlation_id, version FROM \(table("dirty_flows")) ORDER BY first_marked, correlation_id LIMIT $1",
                    binds: Self.binds(Int64(max(0, limit)))))
            return try rows.map { row in
                let (id, version) = try row.decode((String, Int64).self)
                return DirtyFlow(correlationID: id, version: version)
            }
        }
    }

    public func dueFlows(at unixNano: UInt64, limit: Int) async throws -> [String] {
        var binds = Self.binds(Self.storedNanos(unixNano))
        binds.append(Int64(max(0, limit)))
        return try await perform("reading flows due") { [self, binds] in
            let rows = try await query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT correlation_id FROM \(table("flow_summaries"))
                        WHERE due_ns IS NOT NULL AND due_ns <= $1 ORDER BY due_ns, correlation_id LIMIT $2
                        """, binds: binds))
            return try rows.map { try $0.decode(String.self) }
        }
    }

    public func judging() async throws -> [UInt8]? {
        try await perform("reading the judging settings") { [self] in
            let rows = try await query(
                PostgresQuery(unsafeSQL: "SELECT value FROM \(table("settings")) WHERE key = $1", binds: Self.binds(Self.judgingKey)))
            return try rows.first.map { Array(try $0.decode(ByteBuffer.self).readableBytesView) }
        }
    }

    public func saveJudging(_ settings: [UInt8]) async throws {
        var binds = Self.binds(Self.judgingKey)
        binds.append(ByteBuffer(bytes: settings))
        try await perform("saving the judging settings") { [self, binds] in
            try await query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO \(table("settings")) (key, value) VALUES ($1, $2)
                        ON CONFLICT (key) DO UPDATE SET value = excluded.value
                        """, binds: binds))
        }
    }

    static let judgingKey = "flow_judging"

    static func summary(_ row: PostgresRow) throws -> FlowSummary {
        let (id, status, outcome, started, last, steps, compensations, errors, waitingFor, services, types) = try row.decode(
            (String, String, String?, Int64, Int64, Int64, Int64, Int64, String?, [String], [String]).self)
        guard let status = FlowStatus(rawValue: status) else {
            throw StoreError(.corruptRecord, "flow \(id) has an unknown status \(status)")
        }
        return FlowSummary(
            correlationID: id, status: status, outcome: outcome, startedAtUnixNano: UInt64(max(0, started)),
            lastActivityAtUnixNano: UInt64(max(0, last)), stepCount: Int(steps), compensationCount: Int(compensations),
            errorCount: Int(errors), waitingFor: waitingFor, services: services, types: types
        )
    }
}
