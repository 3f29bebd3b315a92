import ChoreoModel

extension InMemorySpanStore: SpanRetention {
    /// Deletes at most `limit` spans that started before the cutoff, oldest first, and the
    /// summary, trail and dirty mark of every flow left without spans (as ``SQLiteSpanStore``).
    public func deleteSpans(startedBefore cutoffUnixNano: UInt64, limit: Int) async throws -> RetentionChunk {
        let doomed = records.indices
            .filter { records[$0].startTimeUnixNano < cutoffUnixNano }
            .sorted { (records[$0].startTimeUnixNano, $0) < (records[$1].startTimeUnixNano, $1) }
            .prefix(max(0, limit))
        // Sampled-out flows whose activity ended before the cutoff: their spans went when they
        // were decided, so no span deletion names them.
        let expiredSampledOut = sampledOut.keys.filter { (summaries[$0]?.lastActivityAtUnixNano ?? 0) < cutoffUnixNano }.sorted().prefix(max(0, limit))
        guard !doomed.isEmpty || !expiredSampledOut.isEmpty else { return RetentionChunk() }
        let gone = Set(doomed)
        let touched = Set(doomed.compactMap { records[$0].correlationID }).union(expiredSampledOut)
        let kept = records.indices.filter { !gone.contains($0) }.map { records[$0] }
        replaceSpans(with: kept)
        var deletedFlows = 0
        for correlationID in touched where byCorrelation[correlationID] == nil {
            deletedFlows += 1
            summaries[correlationID] = nil
            trails[correlationID] = nil
            dues[correlationID] = nil
            sampledOut[correlationID] = nil
            dirty[correlationID] = nil
        }
        return RetentionChunk(deletedSpans: doomed.count, deletedFlows: deletedFlows)
    }
}

extension InMemorySpanStore {
    /// Keeps only the spans `keep` accepts (in their order), rebuilding the lookups.
    func keepSpans(_ keep: (SpanRecord) -> Bool) {
        replaceSpans(with: records.filter(keep))
    }

    /// Replaces every span with `kept` (in order), rebuilding the lookups.
    func replaceSpans(with kept: [SpanRecord]) {
        records = []
        keys = []
        byTrace = [:]
        byCorrelation = [:]
        for span in kept {
            records.append(span)
            keys.insert(SpanKey(trace: span.traceID, span: span.spanID))
            byTrace[span.traceID, default: []].append(records.count - 1)
            if let correlationID = span.correlationID {
                byCorrelation[correlationID, default: []].append(records.count - 1)
            }
        }
    }
}
