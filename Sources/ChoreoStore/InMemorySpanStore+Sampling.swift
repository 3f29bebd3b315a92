import ChoreoModel

extension InMemorySpanStore {
    public func sampledOutFlows(_ correlationIDs: [String]) async throws -> [String: SampledOutFlow] {
        var result: [String: SampledOutFlow] = [:]
        for id in correlationIDs {
            guard let at = sampledOut[id], let summary = summaries[id] else { continue }
            result[id] = SampledOutFlow(summary: summary, trail: trails[id] ?? [], sampledOutAtUnixNano: at)
        }
        return result
    }
}
