import ChoreoModel

extension SQLiteSpanStore {
    public func sampledOutFlows(_ correlationIDs: [String]) async throws -> [String: SampledOutFlow] {
        guard !correlationIDs.isEmpty else { return [:] }
        return try await reader.run { try $0.sampledOutFlows(correlationIDs) }
    }
}

extension SQLiteReader {
    static let sampledOutOfFlows =
        "SELECT \(summaryColumns), trail, sampled_out_ns FROM flow_summaries WHERE sampled_out_ns IS NOT NULL AND correlation_id IN ("
        + (1...correlationIDsPerRead).map { "?\($0)" }.joined(separator: ", ") + ")"

    /// The sampled-out entries among `correlationIDs`, by primary key, a chunk of ids per read.
    func sampledOutFlows(_ correlationIDs: [String]) throws -> [String: SampledOutFlow] {
        var result: [String: SampledOutFlow] = [:]
        try forEachRow(of: db.cached(Self.sampledOutOfFlows), correlationIDs: correlationIDs) { query in
            let summary = try summary(query)
            result[summary.correlationID] = SampledOutFlow(
                summary: summary, trail: try FlowTrail.Step.decode(query.blob(11)), sampledOutAtUnixNano: query.uint64(12))
        }
        return result
    }
}
