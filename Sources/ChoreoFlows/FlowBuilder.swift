import ChoreoModel

/// Rebuilds one flow (business transaction) from its spans. Pure: no I/O, no clock.
///
/// Every publish and every delivery attempt is keyed by message id, never by parent/child, so a
/// flow may cross any number of traces. Spans may arrive twice (at-least-once delivery) and in
/// any order; the result depends only on the set of spans and `now`.
public struct FlowBuilder: Sendable {
    /// How the flow's status and outcome are judged.
    public var options: FlowOptions

    /// Creates a builder with the given options.
    public init(options: FlowOptions = FlowOptions()) {
        self.options = options
    }

    /// Rebuilds the flow with correlation id `correlationID` from `spans`.
    ///
    /// Only spans whose flow (``MessagingConventions/correlationID(of:)``) is `correlationID` are
    /// considered;
    /// spans are deduplicated by (trace id, span id). `now` (Unix nanoseconds) decides between
    /// `in_flight` and `stuck` for a pending flow.
    ///
    /// Times are first moved onto one reference clock (``clockCorrection(for:messages:hops:)``): the flow's
    /// steps, queue and handling times, start, end and last activity use the corrected times;
    /// the recorded ones stay available (``Flow/rawStartedAtUnixNano``,
    /// ``FlowStep/adjustedByNanos``, ``FlowDelivery/adjustedByNanos``).
    ///
    /// - Returns: the flow, or nil when no messaging span (publish or delivery) belongs to it.
    public func build(correlationID: String, spans: [SpanRecord], now: UInt64) -> Flow? {
        build(correlationID: correlationID, spans: spans, now: now, learning: nil)
    }

    /// ``build(correlationID:spans:now:)``, feeding `estimator` (when given) the flow's causal
    /// hops as recorded: they are found once and serve both the learning and the flow's own
    /// clock correction.
    func build(correlationID: String, spans: [SpanRecord], now: UInt64, learning estimator: SharedClockSkewEstimator?) -> Flow? {
        let (recorded, read) = MessageSpan.read(Self.deduplicated(spans), of: correlationID, typeAttribute: options.typeAttribute)
        guard !read.isEmpty, !recorded.isEmpty else { return nil }
        // Hops join two clock sources: spans of one source (a flow of one service) have none,
        // and pairing them in a flow of 100,000 steps costs a dictionary per message.
        let needsHops = (estimator != nil || options.adjustsClocks) && Self.hasSeveralClockSources(recorded)
        let hops = needsHops ? FlowHops(messages: read) : FlowHops()
        estimator?.observe(hops)
        let clocks = clockCorrection(for: recorded, messages: read, hops: hops)
        // The flow's spans as (corrected) times and ids only: sorting whole records would copy
        // every attribute dictionary they hold.
        var timeline = recorded.map { span in
            let offset = clocks.bySource.isEmpty ? 0 : clocks.shift(of: span).offsetNanos
            return SpanTimes(
                start: span.startTimeUnixNano.shifted(back: offset), end: span.endTimeUnixNano.shifted(back: offset),
                traceID: span.traceID, spanID: span.spanID)
        }
        timeline.sort(by: SpanTimes.isEarlier)
        var messages = clocks.bySource.isEmpty ? read : read.map(clocks.apply)
        messages.sort { Self.isEarlierSpan($0.span, $1.span) }

        var built = Self.steps(from: messages)
        pairCompensations(&built)
        let steps = built.map(\.step)
        let startedAt = timeline[0].start
        let endedAt = timeline.lazy.map(\.end).max() ?? startedAt
        let verdict = judge(built, lastActivity: endedAt, now: now)

        var traceIDs: [TraceID] = []
        var seenTraces: Set<TraceID> = []
        for span in timeline where seenTraces.insert(span.traceID).inserted {
            traceIDs.append(span.traceID)
        }
        let findings = findings(of: steps, status: verdict.status)

        return Flow(
            correlationID: correlationID, status: verdict.status, outcome: verdict.outcome,
            traceIDs: traceIDs, startedAtUnixNano: startedAt, endedAtUnixNano: endedAt, steps: steps,
            waitingFor: verdict.waitingFor, gaps: findings.gapIDs.count + findings.unseenDeliveries.count + findings.unseenRetries.count, findings: findings,
            rawStartedAtUnixNano: recorded.lazy.map(\.startTimeUnixNano).min(), rawEndedAtUnixNano: recorded.lazy.map(\.endTimeUnixNano).max()
        )
    }

    /// A span's place in the flow's time order: its (corrected) times and ids.
    private struct SpanTimes {
        var start: UInt64
        var end: UInt64
        var traceID: TraceID
        var spanID: SpanID

        /// ``FlowBuilder/isEarlierSpan(_:_:)`` on these fields.
        static func isEarlier(_ a: SpanTimes, _ b: SpanTimes) -> Bool {
            if a.start != b.start { return a.start < b.start }
            if a.end != b.end { return a.end < b.end }
            if a.traceID != b.traceID { return a.traceID < b.traceID }
            return a.spanID < b.spanID
        }
    }

    /// The spans without repeats of the same (trace id, span id); the first copy wins.
    static func deduplicated(_ spans: [SpanRecord]) -> [SpanRecord] {
        struct Key: Hashable {
            var trace: TraceID
            var span: SpanID
        }
        var seen = Set<Key>(minimumCapacity: spans.count)
        guard let repeated = spans.firstIndex(where: { !seen.insert(Key(trace: $0.traceID, span: $0.spanID)).inserted }) else {
            return spans  // no repeats (the usual case): no copy
        }
        var unique = Array(spans[..<repeated])
        unique.reserveCapacity(spans.count)
        for span in spans[(repeated + 1)...] where seen.insert(Key(trace: span.traceID, span: span.spanID)).inserted {
            unique.append(span)
        }
        return unique
    }

    /// A total order on spans (start, end, trace id, span id), so input order never matters.
    static func isEarlierSpan(_ a: SpanRecord, _ b: SpanRecord) -> Bool {
        if a.startTimeUnixNano != b.startTimeUnixNano { return a.startTimeUnixNano < b.startTimeUnixNano }
        if a.endTimeUnixNano != b.endTimeUnixNano { return a.endTimeUnixNano < b.endTimeUnixNano }
        if a.traceID != b.traceID { return a.traceID < b.traceID }
        return a.spanID < b.spanID
    }
}
