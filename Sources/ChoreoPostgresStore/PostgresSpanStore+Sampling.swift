import ChoreoModel
import ChoreoStore
import PostgresNIO

extension PostgresSpanStore {
    public func sampledOutFlows(_ correlationIDs: [String]) async throws -> [String: SampledOutFlow] {
        guard !correlationIDs.isEmpty else { return [:] }
        let ids = Self.binds(correlationIDs.map { PostgresText.clean($0) })
        return try await perform("reading \(correlationIDs.count) sampled-out flows") { [self] in
            let where_ = "FROM \(table("flow_summaries")) s WHERE s.correlation_id = ANY($1::text[]) AND s.sampled_out_ns IS NOT NULL"
            let summaries = try await query(PostgresQuery(unsafeSQL: "SELECT \(Self.summaryColumns) \(where_)", binds: ids)).map(Self.summary)
            guard !summaries.isEmpty else { return [:] }
            var extras: [String: (trail: [FlowTrail.Step], at: UInt64)] = [:]
            let rows = try await query(
                PostgresQuery(
                    unsafeSQL: "SELECT s.correlation_id, s.trail_types, s.trail_services, s.trail_times, s.sampled_out_ns \(where_)",
                    binds: ids))
            for row in rows {
                let (id, types, services, times, at) = try row.decode((String, [String]?, [String]?, [Int64]?, Int64).self)
                let (t, v, w) = (types ?? [], services ?? [], times ?? [])
                guard t.count == v.count, t.count == w.count else {
                    throw StoreError(.corruptRecord, "the trail of flow \(id) has columns of different lengths")
                }
                let steps = t.indices.map { FlowTrail.Step(type: t[$0], service: v[$0], publishedAtUnixNano: UInt64(max(0, w[$0]))) }
                extras[id] = (steps, UInt64(max(0, at)))
            }
            var result: [String: SampledOutFlow] = [:]
            for summary in summaries {
                guard let extra = extras[summary.correlationID] else { continue }
                result[summary.correlationID] = SampledOutFlow(summary: summary, trail: extra.trail, sampledOutAtUnixNano: extra.at)
            }
            return result
        }
    }
}
