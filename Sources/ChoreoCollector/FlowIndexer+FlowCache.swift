import ChoreoFlows
import ChoreoModel
import ChoreoQuery
import ChoreoStore
import Synchronization

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

/// Keeps an indexer from rebuilding a large flow on every pass while its spans keep arriving
/// (issue 17): a flow of 100,000 steps takes seconds to read and build, and ingest marks it
/// dirty after every batch, so without a pause the indexer rebuilds it back to back for as
/// long as ingest lasts, competing with ingest and queries.
///
/// After a pass built a large flow (at least ``minimumSteps``), the flow's dirty mark is left
/// in place, unclaimed, until ``minimumGapNanos`` or ``buildFactor`` times that pass's build time
/// has passed, whichever is longer; then the next pass builds it with every span that arrived
/// meanwhile. The index entry of such a flow lags by at most that long; the query API never
/// does (it builds from the spans it reads, ``FlowBuildCache``). Small flows are never held.
final class LargeFlowDebounce: Sendable {
    let minimumSteps: Int
    let minimumGapNanos: UInt64
    let buildFactor: UInt64
    /// Correlation id → the earliest time (Unix nanoseconds) its next build may start.
    private let notBefore = Mutex<[String: UInt64]>([:])

    init(minimumSteps: Int, minimumGapNanos: UInt64 = 2_000_000_000, buildFactor: UInt64 = 2) {
        self.minimumSteps = minimumSteps
        self.minimumGapNanos = minimumGapNanos
        self.buildFactor = buildFactor
    }

    /// The claimed marks to build now, and those held back (their claims are to be released,
    /// leaving the marks for a later pass).
    func split(_ claimed: [DirtyFlow], at now: UInt64) -> (due: [DirtyFlow], held: [DirtyFlow]) {
        notBefore.withLock { notBefore in
            var due: [DirtyFlow] = []
            var held: [DirtyFlow] = []
            for mark in claimed {
                if let time = notBefore[mark.correlationID], now < time {
                    held.append(mark)
                } else {
                    notBefore[mark.correlationID] = nil
                    due.append(mark)
                }
            }
            return (due, held)
        }
    }

    /// Records the flows a pass built between `started` and `ended`: the large ones wait before
    /// their next build; the others are forgotten.
    func built(_ flows: [Flow], started: UInt64, ended: UInt64) {
        let pause = max(minimumGapNanos, (ended &- min(started, ended)).multipliedReportingOverflow(by: buildFactor).partialValue)
        notBefore.withLock { notBefore in
            for flow in flows {
                if flow.steps.count >= minimumSteps {
                    notBefore[flow.correlationID] = ended &+ pause
                } else {
                    notBefore[flow.correlationID] = nil
                }
            }
        }
    }

    /// Flows held now or soon.
    var count: Int { notBefore.withLock { $0.count } }
}
