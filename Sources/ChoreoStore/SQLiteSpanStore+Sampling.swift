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
        let query = try db.cached(Self.sampledOutOfFlows)
        var start = 0
        while start < correlationIDs.count {
            let chunk = correlationIDs[start..<min(start + Self.correlationIDsPerRead, correlationIDs.count)]
            defer { query.reset() }
            for slot in 0..<Self.correlationIDsPerRead {
                try query.bind(Int32(slot + 1), slot < chunk.count ? chunk[chunk.startIndex + slot] : nil)
            }
            while try query.step() {
                let summary = try summary(query)
                result[summary.correlationID] = SampledOutFlow(
                    summary: summary, trail: try FlowTrail.Step.decode(query.blob(11)), sampledOutAtUnixNano: query.uint64(12))
            }
            start += Self.correlationIDsPerRead
        }
        return result
    }
}
