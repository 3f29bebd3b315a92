import ChoreoFlows
import ChoreoModel
import ChoreoServer
import Metrics
import Synchronization

/// Flow-aware tail sampling (`choreo-collector --keep-healthy RATIO`): once a flow has settled
/// healthy, its spans are kept only if the hash of its correlation id falls under the ratio;
/// every other flow keeps all its spans. The flow index keeps every flow's entry either way.
///
/// A flow is *decided* when the indexer rebuilds it, its last activity is at least
/// ``delayNanos`` old, and no span of it arrived within the delay; until then it is not decided,
/// and a due time (the later of its last activity and its spans' last arrival, plus the delay)
/// makes the indexer rebuild it then, without any new span. A flow is *healthy*, and its
/// spans deleted unless its hash falls under ``ratio`` (``FlowHash``, the hash head sampling
/// uses), when it is:
///
/// - `completed`;
/// - without gaps, dead letters, unconsumed messages, uncompensated steps or deviations from the
///   flow definition (a delivery retried before it succeeded is none of these: the flow
///   conforms, and its failed attempts' error spans outlive sampling, see below);
/// - no slower than the p99 of the durations of the completed flows of its variant (its
///   sequence of message types) seen so far. A variant with fewer than
///   ``minimumVariantSamples`` such flows has no usual latency yet: its flows are kept as slow.
///
/// A sampled-out flow keeps its spans with an error status (a failed attempt before a retry
/// succeeded), as head sampling does: what went wrong stays findable, the healthy bulk goes.
/// `failed`, `compensated` and `stuck` flows keep their spans. An `in_flight` flow keeps them
/// too: it gets no sampling due time (its stuck due time brings it back), and when it is rebuilt
/// quiet for longer than the delay it is counted as kept `in_flight`.
public struct TailSampling: Sendable, Hashable {
    /// The share of healthy flows whose spans are kept, 0...1; 1 keeps every span.
    public var ratio: Double
    /// How long after a flow's last activity it is decided (nanoseconds).
    public var delayNanos: UInt64
    /// Completed flows of a variant needed before its p99 is trusted.
    public var minimumVariantSamples: Int

    /// Keeps `ratio` of the healthy flows, deciding `delay` after their last activity.
    public init(ratio: Double = 1, delay: Duration = .seconds(10), minimumVariantSamples: Int = 20) {
        self.ratio = ratio
        self.delayNanos = UInt64(max(0, DurationText.nanoseconds(of: delay)))
        self.minimumVariantSamples = minimumVariantSamples
    }

    /// Whether sampling deletes anything at all (a ratio below 1).
    public var isActive: Bool { ratio < 1 }

    /// Why a flow's spans are kept or dropped: the `reason` label of the sampling counters.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        case failed, compensated, stuck, slow, deviating
        case inFlight = "in_flight"
        /// Healthy; the hash decided (kept under the ratio, sampled out over it).
        case hash
    }

    /// What becomes of a flow's spans.
    public enum Decision: Sendable, Hashable {
        /// Not settled long enough: decide again at this time (Unix nanoseconds).
        case undecided(dueAtUnixNano: UInt64)
        /// Every span is kept, for this reason.
        case keep(Reason)
        /// Healthy and over the ratio: the spans go, the index entry stays.
        case sampleOut
    }

    /// The decision on `flow` at `now`, given the p99 duration learned for its variant (nil when
    /// the variant has too few completed flows). `arrivedAtUnixNano` is when spans of the flow
    /// last arrived, if the caller knows (the indexer rebuilding it because new spans came): the
    /// flow settles `delay` after the later of that and its last activity, so spans exported
    /// late (a batching tracer, an agent's spool after an outage, a skewed clock) are all in
    /// before it is decided.
    public func decide(_ flow: Flow, variantP99Nanos: UInt64?, now: UInt64, arrivedAtUnixNano: UInt64? = nil) -> Decision {
        let settledFrom = max(flow.endedAtUnixNano, arrivedAtUnixNano ?? 0)
        let (due, overflow) = settledFrom.addingReportingOverflow(delayNanos)
        if !overflow, now < due { return .undecided(dueAtUnixNano: min(due, UInt64(Int64.max))) }
        switch flow.status {
        case .failed: return .keep(.failed)
        case .compensated: return .keep(.compensated)
        case .stuck: return .keep(.stuck)
        case .inFlight: return .keep(.inFlight)
        case .completed: break
        }
        if Self.isDeviating(flow) { return .keep(.deviating) }
        guard let p99 = variantP99Nanos, Self.duration(of: flow) <= p99 else { return .keep(.slow) }
        return FlowHash(ratio: ratio).keeps(correlationID: flow.correlationID) ? .keep(.hash) : .sampleOut
    }

    /// Anything an operator would look at in a completed flow.
    static func isDeviating(_ flow: Flow) -> Bool {
        let findings = flow.findings
        return flow.gaps > 0 || !findings.deviations.isEmpty || !findings.deadLettered.isEmpty || !findings.unconsumed.isEmpty
            || !findings.gapIDs.isEmpty || !findings.unseenDeliveries.isEmpty || !findings.unseenRetries.isEmpty
            || !findings.uncompensated.isEmpty
    }

    /// A flow's duration: first to last activity.
    static func duration(of flow: Flow) -> UInt64 {
        flow.endedAtUnixNano >= flow.startedAtUnixNano ? flow.endedAtUnixNano - flow.startedAtUnixNano : 0
    }

    /// The variant key of a flow: its message types in step order.
    static func variant(of flow: Flow) -> String {
        flow.trail.steps.map(\.type).joined(separator: "\u{1F}")
    }
}

/// The durations of completed flows per variant (the latest ``capacity`` of each), to tell a
/// slow flow (above its variant's p99) from a usual one. In memory: each collector learns its own.
final class VariantLatencies: Sendable {
    private struct Ring {
        var samples: [UInt64] = []
        var next = 0
    }

    let capacity: Int
    /// Variants tracked, at most; beyond it a new variant has no p99 (its flows are kept as slow).
    let maxVariants: Int
    private let rings = Mutex<[String: Ring]>([:])

    init(capacity: Int = 1_000, maxVariants: Int = 10_000) {
        self.capacity = max(1, capacity)
        self.maxVariants = maxVariants
    }

    /// The nearest-rank p99 of `variant`'s durations, if it has at least `minimum`.
    func p99(_ variant: String, minimum: Int) -> UInt64? {
        rings.withLock { rings in
            guard let ring = rings[variant], ring.samples.count >= max(1, minimum) else { return nil }
            let sorted = ring.samples.sorted()
            let rank = Int((0.99 * Double(sorted.count)).rounded(.up))
            return sorted[min(max(rank, 1), sorted.count) - 1]
        }
    }

    /// Adds a completed flow's duration to its variant.
    func observe(_ variant: String, nanos: UInt64) {
        rings.withLock { rings in
            guard rings[variant] != nil || rings.count < maxVariants else { return }
            var ring = rings[variant] ?? Ring()
            if ring.samples.count < capacity {
                ring.samples.append(nanos)
            } else {
                ring.samples[ring.next] = nanos
            }
            ring.next = (ring.next + 1) % capacity
            rings[variant] = ring
        }
    }
}

/// `choreo_collector_sampling_flows_total{decision,reason}` and
/// `choreo_collector_sampling_spans_total{decision}`: every decision of tail sampling, and the
/// spans of late arrivals to a sampled-out flow (deleted, `decision="sampled_out"`,
/// `reason="late"` in ``lateSpans``).
public final class SamplingCounters: Sendable {
    private let keptFlows: [TailSampling.Reason: MeteredCounter]
    private let sampledOutFlows: MeteredCounter
    private let keptSpans: MeteredCounter
    private let sampledOutSpans: MeteredCounter
    private let lateSpans: MeteredCounter

    /// Counters reporting to `factory` (none by default).
    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        var kept: [TailSampling.Reason: MeteredCounter] = [:]
        for reason in TailSampling.Reason.allCases {
            kept[reason] = MeteredCounter(
                label: CollectorMetrics.Name.samplingFlows, dimensions: [("decision", "kept"), ("reason", reason.rawValue)], factory: factory)
        }
        keptFlows = kept
        sampledOutFlows = MeteredCounter(
            label: CollectorMetrics.Name.samplingFlows, dimensions: [("decision", "sampled_out"), ("reason", "hash")], factory: factory)
        keptSpans = MeteredCounter(label: CollectorMetrics.Name.samplingSpans, dimensions: [("decision", "kept")], factory: factory)
        sampledOutSpans = MeteredCounter(label: CollectorMetrics.Name.samplingSpans, dimensions: [("decision", "sampled_out")], factory: factory)
        lateSpans = MeteredCounter(label: CollectorMetrics.Name.samplingLateSpans, factory: factory)
    }

    func kept(_ reason: TailSampling.Reason, spans: Int) {
        keptFlows[reason]?.add()
        keptSpans.add(spans)
    }

    /// A flow sampled out: `spans` deleted, `errorSpans` kept.
    func sampledOut(spans: Int, errorSpans: Int) {
        sampledOutFlows.add()
        sampledOutSpans.add(spans)
        keptSpans.add(errorSpans)
    }

    func late(spans: Int) { lateSpans.add(spans) }

    /// Flows kept for `reason` so far.
    public func keptFlows(_ reason: TailSampling.Reason) -> Int { keptFlows[reason]?.value ?? 0 }
    /// Flows sampled out so far.
    public var sampledOutFlowCount: Int { sampledOutFlows.value }
    /// Spans of decided flows kept (the error spans of sampled-out flows included), and deleted.
    public var keptSpanCount: Int { keptSpans.value }
    public var sampledOutSpanCount: Int { sampledOutSpans.value }
    /// Spans that arrived for a flow already sampled out (deleted).
    public var lateSpanCount: Int { lateSpans.value }
}
