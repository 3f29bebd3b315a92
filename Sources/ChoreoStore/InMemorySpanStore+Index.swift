import ChoreoModel

extension InMemorySpanStore {
    public func upsertFlows(_ flows: [IndexedFlow], clearing: [DirtyFlow]) async throws {
        let stale = write(flows.map(\.summary), clearing: clearing)
        var doomed: Set<String> = []
        for flow in flows where !stale.contains(flow.summary.correlationID) {
            setTrail(flow.trail, for: flow.summary.correlationID)
            dues[flow.summary.correlationID] = flow.dueAtUnixNano
            sampledOut[flow.summary.correlationID] = flow.sampledOutAtUnixNano
            if flow.sampledOutAtUnixNano != nil { doomed.insert(flow.summary.correlationID) }
        }
        if !doomed.isEmpty { keepSpans { span in span.outlivesSampling || (span.correlationID.map { !doomed.contains($0) } ?? true) } }
    }

    public func flowTrails(_ query: FlowQuery) async throws -> [FlowTrail] {
        var unlimited = query
        unlimited.limit = Int.max
        return try await flowSummaries(unlimited).compactMap { summary in
            trail(for: summary.correlationID).map { FlowTrail(correlationID: summary.correlationID, steps: $0) }
        }.prefix(max(0, query.limit)).map { $0 }
    }

    public func flowCounts(_ query: FlowQuery) async throws -> [FlowStatus: Int] {
        var all = query
        all.statuses = []
        all.limit = Int.max
        var counts: [FlowStatus: Int] = [:]
        for summary in try await flowSummaries(all) { counts[summary.status, default: 0] += 1 }
        return counts
    }

    public func traceSummaries(_ query: TraceQuery) async throws -> [TraceSummary] {
        var found: [TraceID] = []
        for span in allSpans().sorted(by: { $0.startTimeUnixNano > $1.startTimeUnixNano }).prefix(TraceQuery.scanLimit)
        where found.count < query.limit && !found.contains(span.traceID) && query.matches(span) {
            found.append(span.traceID)
        }
        var result: [TraceSummary] = []
        for id in found {
            if let summary = TraceSummary(traceID: id, spans: try await spans(traceID: id)) { result.append(summary) }
        }
        return result
    }
}
