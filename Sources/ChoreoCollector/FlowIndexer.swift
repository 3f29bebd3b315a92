import ChoreoFlows
import ChoreoModel
import ChoreoQuery
import ChoreoStore
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps the flow index (one ``FlowSummary`` per correlation id) up to date.
///
/// Ingest marks flows dirty in the same transaction as their spans; the indexer rebuilds each
/// dirty flow from its spans and writes its summary. It also re-evaluates in-flight flows as
/// time passes, so one that stops moving turns `stuck` without any new span arriving.
///
/// Ingest comes first. While ingest is busy (`ingestBusy`: requests waiting or a commit
/// running), the periodic pass is put off, for `maxDeferral` at most since the last one began: a
/// burst is committed at full speed and indexed once it quiets, and under sustained load the
/// index still catches up every `maxDeferral`. The rebuilding itself (CPU only, no I/O) runs on
/// a thread of lower priority (``LowPriorityThread``), so what ingest leaves goes to the index;
/// `choreo_collector_index_lag_seconds` says how far behind it is.
///
/// Every rebuilt flow feeds the ``SharedLatencyLearner``, and flows are judged with the limits
/// it has learned so far (per awaited message type); quiet in-flight flows are re-evaluated once
/// they pass the smallest current limit, so a flow turns stuck within one interval of its limit
/// (within `maxDeferral` while ingest is busy).
///
/// The indexer records how it judges flows (``FlowJudging``: its options with the limits learned
/// so far) in the store whenever that changes, so the query API and `choreo --db` rebuild a
/// flow exactly as the index did. Queries never run the indexer: it catches up on its own
/// schedule, and ``indexedAtUnixNano`` says how fresh the index is.
///
/// Every rebuilt flow also feeds a ``SharedClockSkewEstimator`` with its causal hops (each hop
/// once, however often the flow is rebuilt), and flows are built with the clock offsets learned
/// so far (``FlowOptions/clockOffsets``), recorded with the judging. The recorded offsets change
/// only when some offset moved by at least `clockOffsetThreshold` (or a source, its reference or
/// its certainty changed): every reader of the store rereads the judging when it changes.
///
/// Several indexers may share one store (collectors on one PostgreSQL database): each takes the
/// flows it rebuilds as claims (``FlowIndexWriter/claimDirtyFlows(at:limit:lease:)``,
/// ``FlowIndexWriter/claimDueFlows(at:limit:lease:)``) held for `claimLease`, so no flow is
/// rebuilt by two of them at once; a claim whose indexer died runs out and another takes it.
///
/// With tail sampling (``TailSampling``, `--keep-healthy` below 1) the indexer also decides,
/// once a flow has settled, whether its spans stay: a flow sampled out is written with
/// ``IndexedFlow/sampledOutAtUnixNano``, which deletes its spans in the same transaction as the
/// entry is written, under the claim, so with several collectors on one store it is decided
/// once. A span that arrives later for a sampled-out flow marks it dirty; the indexer then writes
/// the entry the index holds again (which deletes that span) and counts it as late: the entry
/// stays what it was when the flow was decided.
public final class FlowIndexer<C: Clock>: Service, Sendable where C.Duration == Duration {
    private let store: any SpanStore
    private let options: FlowOptions
    private let learner: SharedLatencyLearner
    private let skew: SharedClockSkewEstimator
    /// The smallest move of an offset that changes the recorded offsets (see ``ClockOffsetsRecord``).
    private let clockOffsetThresholdNanos: Int64
    /// The offsets flows are built with and recorded with the judging.
    private let clockOffsets = Mutex(ClockOffsetsRecord())
    private let clock: C
    private let interval: Duration
    /// True while ingest is busy: the periodic pass waits (``run()``).
    private let ingestBusy: @Sendable () -> Bool
    /// The longest a pass waits for a busy ingest, from the start of the last one.
    private let maxDeferral: Duration
    private let now: @Sendable () -> UInt64
    private let logger: Logger
    private let batchSize = 500
    /// How long a claim on flows holds if this indexer never writes them (it died or stalled).
    private let claimLease: Duration
    /// What was last recorded in the store, to write only changes.
    private let recorded = Mutex<FlowJudging?>(nil)
    private let lastCatchUp = Atomic<UInt64>(0)
    /// Callers of ``catchUp()`` that arrived while a pass was running (see ``catchUp()``).
    private let coalescing = Mutex(Coalescing())
    /// Where large flows this indexer builds are handed to the query service (nil: nowhere).
    private let flowCache: FlowBuildCache?
    /// Holds large flows back between builds while their spans arrive (with a ``flowCache``).
    private let largeFlowDebounce: LargeFlowDebounce?
    /// Which settled flows keep their spans.
    private let sampling: TailSampling
    /// The durations of the completed flows decided so far, per variant.
    private let variantLatencies = VariantLatencies()
    /// What sampling decided.
    public let samplingCounters: SamplingCounters

    public init(
        store: any SpanStore, options: FlowOptions, learner: SharedLatencyLearner? = nil, clock: C, interval: Duration,
        now: @escaping @Sendable () -> UInt64 = UnixTime.nowNanos, claimLease: Duration = .seconds(30),
        skew: SharedClockSkewEstimator? = nil, clockOffsetThreshold: Duration = .milliseconds(1), logger: Logger,
        sampling: TailSampling = TailSampling(), samplingCounters: SamplingCounters = SamplingCounters(), flowCache: FlowBuildCache? = nil,
        ingestBusy: @escaping @Sendable () -> Bool = { false }, maxDeferral: Duration = .seconds(2)
    ) {
        self.ingestBusy = ingestBusy
        self.maxDeferral = maxDeferral
        self.store = store
        self.flowCache = flowCache
        self.largeFlowDebounce = flowCache.map { LargeFlowDebounce(minimumSteps: $0.minimumSteps) }
        self.sampling = sampling
        self.samplingCounters = samplingCounters
        self.skew = skew ?? SharedClockSkewEstimator()
        self.clockOffsetThresholdNanos = ClockOffsetsRecord.nanos(clockOffsetThreshold)
        self.claimLease = claimLease
        self.options = options
        self.learner =
            learner
            ?? SharedLatencyLearner(
                configuration: LatencyLearner.Configuration(ceilingNanos: options.stuckAfterNanos)
            )
        self.clock = clock
        self.interval = interval
        self.now = now
        self.logger = logger
    }

    /// Indexes every dirty flow, then re-evaluates in-flight flows that have gone quiet.
    /// Returns the number of summaries written by the pass that served this call.
    ///
    /// Concurrent calls coalesce: at most one pass runs at a time, and every call that arrives
    /// while a pass runs waits for the single next pass, which starts after all of them arrived
    /// and so sees every span committed before any of them was made. However many callers there
    /// are, the indexer does at most one pass at a time and one after it.
    @discardableResult
    public func catchUp() async throws -> Int {
        let turn: Turn = try await withCheckedThrowingContinuation { continuation in
            let leadNow = coalescing.withLock { state in
                if state.running {
                    state.waiting.append(continuation)
                    return false
                }
                state.running = true
                return true
            }
            if leadNow { continuation.resume(returning: .lead(followers: [])) }
        }
        let followers: [CheckedContinuation<Turn, any Error>]
        switch turn {
        case .done(let written): return written
        case .lead(let served): followers = served
        }
        let result: Result<Int, any Error>
        do {
            result = .success(try await pass())
        } catch {
            result = .failure(error)
        }
        // Hand over: the callers that arrived during this pass get one new pass, led by the first
        // of them; the callers this pass served get its result.
        let next = coalescing.withLock { state -> [CheckedContinuation<Turn, any Error>] in
            let waiting = state.waiting
            state.waiting = []
            if waiting.isEmpty { state.running = false }
            return waiting
        }
        for follower in followers { follower.resume(with: result.map { .done($0) }) }
        if let leader = next.first { leader.resume(returning: .lead(followers: Array(next.dropFirst()))) }
        return try result.get()
    }

    /// Callers of ``catchUp()`` waiting for the next pass (they share it).
    public var waitingCatchUps: Int { coalescing.withLock { $0.waiting.count } }

    /// What a caller of ``catchUp()`` is told to do.
    private enum Turn: Sendable {
        /// Run the pass, then give its result to `followers`.
        case lead(followers: [CheckedContinuation<Turn, any Error>])
        /// Another caller's pass served this one.
        case done(Int)
    }

    private struct Coalescing: ~Copyable {
        var running = false
        var waiting: [CheckedContinuation<Turn, any Error>] = []
    }

    /// One catch-up pass: dirty flows, then quiet in-flight flows that fell due.
    private func pass() async throws -> Int {
        let started = now()
        defer { lastCatchUp.store(started, ordering: .relaxed) }
        try await adoptRecordedClockOffsets()
        try await recordJudging()
        var written = 0
        while true {
            let claimed = try await store.claimDirtyFlows(at: now(), limit: batchSize, lease: claimLease)
            if claimed.isEmpty { break }
            // Large flows built moments ago wait (their marks stay for a later pass).
            let (dirty, held) = largeFlowDebounce?.split(claimed, at: now()) ?? (claimed, [])
            if !held.isEmpty { try await store.releaseClaims(held) }
            if !dirty.isEmpty { written += try await reindex(dirty.map(\.correlationID), clearing: dirty, arrived: true) }
            if claimed.count < batchSize || !held.isEmpty { break }
        }
        written += try await reevaluateQuietFlows()
        return written
    }

    /// Runs ``catchUp()`` every interval until graceful shutdown; while ingest is busy, only
    /// once `maxDeferral` passed since the last pass began.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                var lastPass = self.clock.now
                while true {
                    try await self.clock.sleep(for: self.interval)
                    if lastPass.duration(to: self.clock.now) < self.maxDeferral, self.ingestBusy() { continue }
                    lastPass = self.clock.now
                    do {
                        try await self.catchUp()
                    } catch _ where Task.isCancelled {
                        // Shutting down: whatever the store threw for the cancelled call
                        // (CancellationError or its driver's own) is not a failure to report.
                        throw CancellationError()
                    } catch {
                        self.logger.error("flow index update failed; retrying next interval", metadata: ["error": "\(error)"])
                    }
                }
            }
        } catch is CancellationError {
            // Graceful shutdown: the index is derived data, rebuilt from dirty marks at the next start.
        }
    }

    /// When the last completed ``catchUp()`` started (Unix nanoseconds; 0 before the first):
    /// every span committed before then is in the index.
    public var indexedAtUnixNano: UInt64 { lastCatchUp.load(ordering: .relaxed) }

    /// Records the current judging in the store when it changed since it was last recorded.
    private func recordJudging() async throws {
        let judging = FlowJudging(currentOptions())
        guard recorded.withLock({ $0 }) != judging else { return }
        try await store.saveJudging(judging.encoded)
        recorded.withLock { $0 = judging }
    }

    /// The options with the stuck limits and clock offsets learned so far.
    private func currentOptions() -> FlowOptions {
        var current = options
        current.stuckLimits = learner.limits()
        if current.adjustsClocks, current.clockOffsets == nil { current.clockOffsets = clockOffsets.withLock { $0.offsets } }
        return current
    }

    /// The clock offsets flows are built with now (nil before any was learned or adopted).
    public var judgedClockOffsets: ClockOffsets? { clockOffsets.withLock { $0.offsets } }

    /// At the first pass, takes the offsets recorded in the store (by this collector before a
    /// restart, or by another one on the same store) until this indexer's own are certain.
    private func adoptRecordedClockOffsets() async throws {
        guard options.adjustsClocks, options.clockOffsets == nil, !clockOffsets.withLock({ $0.loaded }) else { return }
        let stored = try await store.judging().flatMap { try? FlowJudging(decoding: $0).learnedClockOffsets }
        clockOffsets.withLock { $0.adopt(stored) }
    }

    /// Takes the offsets estimated so far when they moved enough since those in use (once per
    /// batch, and only when new hops arrived).
    private func updateClockOffsets() {
        guard options.adjustsClocks, options.clockOffsets == nil else { return }
        let hops = skew.observedHops
        guard clockOffsets.withLock({ $0.hops != hops }) else { return }
        let estimated = skew.offsets()
        clockOffsets.withLock { $0.update(estimated, hops: hops, thresholdNanos: clockOffsetThresholdNanos) }
    }

    /// Rebuilds the claimed flows `ids` and writes them; if that fails, gives the claims back so
    /// the next pass (of any collector) takes them at once rather than after the lease.
    /// `arrived`: they were claimed because new spans of theirs arrived (not because they fell due).
    private func reindex(_ ids: [String], clearing: [DirtyFlow], arrived: Bool) async throws -> Int {
        do {
            return try await rebuild(ids, clearing: clearing, arrived: arrived)
        } catch {
            try? await store.releaseClaims(clearing)  // else the lease runs out
            throw error
        }
    }

    private func rebuild(_ claimed: [String], clearing: [DirtyFlow], arrived: Bool) async throws -> Int {
        let at = now()
        let builder = FlowBuilder(options: currentOptions())
        // Flows already sampled out keep their entry; the spans that arrived since go with it.
        let sampledOut = sampling.isActive ? try await store.sampledOutFlows(claimed) : [:]
        let ids = sampledOut.isEmpty ? claimed : claimed.filter { sampledOut[$0] == nil }
        let spansByFlow = try await store.spans(correlationIDs: claimed)  // one batched read per cycle
        // The CPU-heavy part, on a thread that yields to ingest (``LowPriorityThread``).
        let flows = await LowPriorityThread.shared.run { self.build(ids, from: spansByFlow, with: builder, at: at) }
        learner.observe(flows)
        try await recordJudging()
        largeFlowDebounce?.built(flows, started: at, ended: now())
        await Self.shareLargeFlows(
            flows, read: spansByFlow, builder: builder.options, offsets: judgedClockOffsets, recorded: currentOptions(), store: store,
            cache: flowCache)
        // Due times from the limits learned including these flows: a flow judged in flight under
        // the limits before them falls due (in this very catch-up) if the new limits say so.
        let learned = currentOptions()
        var entries = flows.map { flow in
            let summary = builder.summary(of: flow)
            var entry = IndexedFlow(summary: summary, trail: flow.trail.steps, dueAtUnixNano: Self.due(summary, options: learned))
            if sampling.isActive { judge(flow, &entry, spans: spansByFlow[flow.correlationID] ?? [], at: at, arrived: arrived) }
            return entry
        }
        for (id, kept) in sampledOut.sorted(by: { $0.key < $1.key }) {
            samplingCounters.late(spans: (spansByFlow[id] ?? []).count { !$0.outlivesSampling })
            entries.append(kept.entry)
        }
        try await store.upsertFlows(entries, clearing: clearing)
        return entries.count
    }

    /// Builds the flows `ids` from their spans, feeding the clock estimator their hops; when the
    /// offsets in use moved with them, builds them again with the offsets now recorded.
    private func build(_ ids: [String], from spansByFlow: [String: [SpanRecord]], with builder: FlowBuilder, at: UInt64) -> [Flow] {
        var flows: [Flow] = []
        flows.reserveCapacity(ids.count)
        for id in ids {
            let spans = spansByFlow[id] ?? []
            let flow =
                builder.options.adjustsClocks
                ? builder.build(correlationID: id, spans: spans, now: at, learningClocksInto: skew)
                : builder.build(correlationID: id, spans: spans, now: at)
            if let flow { flows.append(flow) }
        }
        updateClockOffsets()
        if let offsets = judgedClockOffsets, offsets != builder.options.clockOffsets {
            // The offsets moved with these flows' hops: index them with the offsets recorded.
            var rebuilder = builder
            rebuilder.options.clockOffsets = offsets
            flows = ids.compactMap { rebuilder.build(correlationID: $0, spans: spansByFlow[$0] ?? [], now: at) }
        }
        return flows
    }

    /// Applies tail sampling's decision to a flow's entry: a due time while it settles, the
    /// sampled-out mark when its spans go; counts what was decided. A flow rebuilt because spans
    /// of it `arrived` settles from now: it is decided once none arrived for the delay.
    private func judge(_ flow: Flow, _ entry: inout IndexedFlow, spans: [SpanRecord], at: UInt64, arrived: Bool) {
        let variant = TailSampling.variant(of: flow)
        let decision = sampling.decide(
            flow, variantP99Nanos: variantLatencies.p99(variant, minimum: sampling.minimumVariantSamples), now: at,
            arrivedAtUnixNano: arrived ? at : nil)
        switch decision {
        case .undecided(let due):
            // An in-flight flow keeps its stuck due time; a settled one comes back to be decided.
            if flow.status != .inFlight { entry.dueAtUnixNano = min(entry.dueAtUnixNano ?? .max, due &+ 1) }
            return
        case .keep(let reason):
            samplingCounters.kept(reason, spans: spans.count)
        case .sampleOut:
            let kept = spans.count(where: \.outlivesSampling)
            samplingCounters.sampledOut(spans: spans.count - kept, errorSpans: kept)
            entry.sampledOutAtUnixNano = at
            entry.dueAtUnixNano = nil
        }
        if flow.status == .completed, !TailSampling.isDeviating(flow) {
            variantLatencies.observe(variant, nanos: TailSampling.duration(of: flow))
        }
    }

    /// When an in-flight flow would turn stuck if nothing arrived: just past its last activity
    /// plus the limit of the type it waits for (saturating at the latest time a store holds).
    /// Nil for any other status.
    static func due(_ summary: FlowSummary, options: FlowOptions) -> UInt64? {
        guard summary.status == .inFlight else { return nil }
        let limit = options.stuckLimitNanos(waitingFor: summary.waitingFor ?? "")
        let (due, overflow) = summary.lastActivityAtUnixNano.addingReportingOverflow(limit &+ 1)
        return overflow || limit == .max ? UInt64(Int64.max) : min(due, UInt64(Int64.max))
    }

    /// In-flight flows whose due time passed are rebuilt: those past the limit of the type they
    /// wait for become stuck; the others get a new due time. An index lookup (the stored due
    /// times), not a scan of every in-flight flow. A limit learned shorter since a flow's due time
    /// was written takes effect at that due time, at the latest.
    private func reevaluateQuietFlows() async throws -> Int {
        var written = 0
        while true {
            let due = try await store.claimDueFlows(at: now(), limit: batchSize, lease: claimLease)
            if due.isEmpty { return written }
            written += try await reindex(due.map(\.correlationID), clearing: due, arrived: false)
            if due.count < batchSize { return written }
        }
    }
}
