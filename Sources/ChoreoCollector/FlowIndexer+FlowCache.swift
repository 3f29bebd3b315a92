import ChoreoFlows
import ChoreoModel
import ChoreoQuery
import ChoreoStore

extension FlowIndexer {
    /// Hands the large flows an indexer pass built to the query service's cache
    /// (``FlowBuildCache``): the first `flows show` of a flow of 100,000 steps after its last
    /// span then reuses the indexer's build instead of reading and building it again.
    ///
    /// A flow is kept only when the judging recorded now is the one it was built with (the
    /// options of `builder` with the clock offsets in use), and under the store's fingerprint of
    /// its spans taken now, when that still counts exactly the spans the pass read (a span
    /// stored since changes the count, and the query service rebuilds).
    static func shareLargeFlows(
        _ flows: [Flow], read spansByFlow: [String: [SpanRecord]], builder: FlowOptions, offsets: ClockOffsets?, recorded: FlowOptions,
        store: any SpanStore, cache: FlowBuildCache?
    ) async {
        guard let cache, flows.contains(where: { $0.steps.count >= cache.minimumSteps }) else { return }
        var used = builder
        if let offsets, offsets != used.clockOffsets { used.clockOffsets = offsets }
        // The options as the query service reads them back from the recorded judging.
        let judged = FlowJudging(used).options
        guard judged == FlowJudging(recorded).options else { return }
        for flow in flows where flow.steps.count >= cache.minimumSteps {
            guard let read = spansByFlow[flow.correlationID]?.count,
                let fingerprint = try? await store.flowFingerprint(correlationID: flow.correlationID),
                fingerprint.count == Int64(read)
            else { continue }
            cache.keep(flow, fingerprint: fingerprint, options: judged)
        }
    }
}
