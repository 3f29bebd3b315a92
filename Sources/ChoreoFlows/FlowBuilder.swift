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
    /// Times are first moved onto one reference clock (``clockCorrection(for:)``): the flow's
    /// steps, queue and handling times, start, end and last activity use the corrected times;
    /// the recorded ones stay available (``Flow/rawStartedAtUnixNano``,
    /// ``FlowStep/adjustedByNanos``, ``FlowDelivery/adjustedByNanos``).
    ///
    /// - Returns: the flow, or nil when no messaging span (publish or delivery) belongs to it.
    public func build(correlationID: String, spans: [SpanRecord], now: UInt64) -> Flow? {
        build(correlationID: correlationID, spans: spans, now: now, reading: { _ in })
    }

    /// ``build(correlationID:spans:now:)``, handing `reading` the flow's messaging spans as
    /// recorded (e.g. to learn clock offsets from them without reading the spans twice).
    func build(correlationID: String, spans: [SpanRecord], now: UInt64, reading: ([MessageSpan]) -> Void) -> Flow? {
        let recorded = Self.deduplicated(spans).filter { $0.flowCorrelationID == correlationID }
        let read = MessageSpan.read(recorded, typeAttribute: options.typeAttribute)
        guard !read.isEmpty else { return nil }
        reading(read)
        let clocks = clockCorrection(for: recorded, messages: read)
        let flowSpans = recorded.map(clocks.apply).sorted(by: Self.isEarlierSpan)
        let messages = read.map(clocks.apply).sorted { Self.isEarlierSpan($0.span, $1.span) }
        guard let first = flowSpans.first else { return nil }

        var built = Self.steps(from: messages)
        pairCompensations(&built)
        let steps = built.map(\.step)
        let startedAt = first.startTimeUnixNano
        let endedAt = flowSpans.map(\.endTimeUnixNano).max() ?? startedAt
        let verdict = judge(built, lastActivity: endedAt, now: now)

        var traceIDs: [TraceID] = []
        var seenTraces: Set<TraceID> = []
        for span in flowSpans where seenTraces.insert(span.traceID).inserted {
            traceIDs.append(span.traceID)
        }
        let findings = findings(of: steps, status: verdict.status)

        return Flow(
            correlationID: correlationID, status: verdict.status, outcome: verdict.outcome,
            traceIDs: traceIDs, startedAtUnixNano: startedAt, endedAtUnixNano: endedAt, steps: steps,
            waitingFor: verdict.waitingFor, gaps: findings.gapIDs.count + findings.unseenDeliveries.count + findings.unseenRetries.count, findings: findings,
            rawStartedAtUnixNano: recorded.map(\.startTimeUnixNano).min(), rawEndedAtUnixNano: recorded.map(\.endTimeUnixNano).max()
        )
    }

    /// The spans without repeats of the same (trace id, span id); the first copy wins.
    static func deduplicated(_ spans: [SpanRecord]) -> [SpanRecord] {
        struct Key: Hashable {
            var trace: TraceID
            var span: SpanID
        }
        var seen: Set<Key> = []
        seen.reserveCapacity(spans.count)
        return spans.filter { seen.insert(Key(trace: $0.traceID, span: $0.spanID)).inserted }
    }

    /// A total order on spans (start, end, trace id, span id), so input order never matters.
    static func isEarlierSpan(_ a: SpanRecord, _ b: SpanRecord) -> Bool {
        if a.startTimeUnixNano != b.startTimeUnixNano { return a.startTimeUnixNano < b.startTimeUnixNano }
        if a.endTimeUnixNano != b.endTimeUnixNano { return a.endTimeUnixNano < b.endTimeUnixNano }
        if a.traceID != b.traceID { return a.traceID < b.traceID }
        return a.spanID < b.spanID
    }
}
