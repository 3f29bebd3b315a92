import ChoreoModel

/// How one flow's recorded times are moved onto the reference clock.
struct ClockCorrection {
    /// The shift of one source: its offset (subtracted from every time it recorded) and whether
    /// that offset rests on thin evidence.
    struct Shift: Equatable {
        var offsetNanos: Int64 = 0
        var uncertain = false
    }

    var bySource: [String: Shift] = [:]

    func shift(of span: SpanRecord) -> Shift { bySource.isEmpty ? Shift() : bySource[ClockSource.of(span)] ?? Shift() }

    /// `span` with its start, end and event times on the reference clock.
    func apply(_ span: SpanRecord) -> SpanRecord {
        guard !bySource.isEmpty else { return span }
        let offset = shift(of: span).offsetNanos
        guard offset != 0 else { return span }
        var moved = span
        moved.startTimeUnixNano = span.startTimeUnixNano.shifted(back: offset)
        moved.endTimeUnixNano = span.endTimeUnixNano.shifted(back: offset)
        for i in moved.events.indices { moved.events[i].timeUnixNano = span.events[i].timeUnixNano.shifted(back: offset) }
        return moved
    }

    /// `message` with its span's times on the reference clock, told how far they were moved.
    func apply(_ message: MessageSpan) -> MessageSpan {
        guard !bySource.isEmpty else { return message }
        let shift = shift(of: message.span)
        let adjusted = shift.offsetNanos == Int64.min ? Int64.max : -shift.offsetNanos
        // Nothing to move (and nothing to tell): the same instance.
        if adjusted == message.adjustedByNanos && shift.uncertain == message.clockUncertain && shift.offsetNanos == 0 { return message }
        return message.moved(span: apply(message.span), adjustedByNanos: adjusted, clockUncertain: shift.uncertain)
    }
}

extension FlowBuilder {
    /// The correction of a flow's spans: the learned offsets (``FlowOptions/clockOffsets``),
    /// then whatever shift this flow's own hops still demand on top of them — the smallest that
    /// restores causal order, marked uncertain. Nothing when ``FlowOptions/adjustsClocks`` is off.
    ///
    /// A source's times are uncertain when its learned offset is (its clock is not known to
    /// within the estimator's error), or when this flow's evidence alone moved them.
    /// `messages` are the messaging spans among `spans`, already read, and `hops` the hops among
    /// them as recorded (empty when all spans have one clock source: they say nothing).
    func clockCorrection(for spans: [SpanRecord], messages: [MessageSpan], hops: FlowHops) -> ClockCorrection {
        guard options.adjustsClocks else { return ClockCorrection() }
        var correction = ClockCorrection()
        if let learned = options.clockOffsets, !learned.bySource.isEmpty {
            for span in spans {
                let source = ClockSource.of(span)
                guard correction.bySource[source] == nil, let offset = learned.offset(of: source), offset.nanos != 0 || offset.uncertain else {
                    continue
                }
                correction.bySource[source] = ClockCorrection.Shift(offsetNanos: offset.nanos, uncertain: offset.uncertain)
            }
        }
        guard !hops.isEmpty else { return correction }
        // The hops with the learned offsets applied. Which publish of a message published more
        // than once is the earliest may change with them: those are paired again.
        let corrected: [ClockHop]
        if correction.bySource.isEmpty {
            corrected = hops.hops.map(\.hop)
        } else if hops.hasRepeatedPublishes {
            corrected = FlowHops(messages: messages.map(correction.apply)).hops.map(\.hop)
        } else {
            corrected = hops.hops.map { $0.hop(correctedBy: correction) }
        }
        // Hops all in causal order allow every residual to be 0: nothing more to do.
        guard corrected.contains(where: { $0.delayNanos < 0 }) else { return correction }
        // Every pair counts as thin here: only the causal clamp, never a guess from one flow.
        for (source, residual) in ClockSkewEstimator.smallestShifts(corrected) where residual != 0 {
            let learned = correction.bySource[source]?.offsetNanos ?? 0
            let (total, overflow) = learned.addingReportingOverflow(residual)
            correction.bySource[source] = ClockCorrection.Shift(offsetNanos: overflow ? learned : total, uncertain: true)
        }
        return correction
    }

    /// True when `spans` were recorded by more than one clock source (``ClockSource``).
    static func hasSeveralClockSources(_ spans: [SpanRecord]) -> Bool {
        guard let first = spans.first.map(ClockSource.of) else { return false }
        return spans.contains { ClockSource.of($0) != first }
    }
}
