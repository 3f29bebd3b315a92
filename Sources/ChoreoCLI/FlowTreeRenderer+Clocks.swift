import ChoreoFlows
import ChoreoModel

/// Corrected or recorded times (``FlowTreeRenderer/rawTimes``) and the marks that say how far a
/// step's or a delivery's clock was adjusted (docs/clock-skew.md).
extension FlowTreeRenderer {
    /// The flow's start as shown.
    func started(_ flow: Flow) -> UInt64 { rawTimes ? flow.rawStartedAtUnixNano : flow.startedAtUnixNano }

    /// The flow's end as shown.
    func ended(_ flow: Flow) -> UInt64 { rawTimes ? flow.rawEndedAtUnixNano : flow.endedAtUnixNano }

    /// A step's publish time as shown.
    func publishedAt(_ step: FlowStep) -> UInt64 { rawTimes ? step.rawPublishedAtUnixNano : step.publishedAtUnixNano }

    /// The queue time shown: corrected (never negative), or as the two clocks recorded it, which
    /// may be negative (`-1.500s`); nil when the publish time is unknown.
    func queueTime(_ delivery: FlowDelivery, of step: FlowStep) -> String? {
        guard let corrected = delivery.queueTimeNanos else { return nil }
        guard rawTimes else { return DurationFormat.string(corrected) }
        return Self.signed(Self.difference(delivery.rawFirstStartedAtUnixNano, step.rawPublishedAtUnixNano))
    }

    /// `clock +1.993s` for a time moved onto the reference clock (`(uncertain)` when the move
    /// rests on thin evidence), `clock uncertain` for one left as recorded on thin evidence; nil
    /// when nothing was moved.
    func clockMark(adjustedByNanos: Int64, uncertain: Bool) -> String? {
        if adjustedByNanos == 0 { return uncertain ? "clock uncertain" : nil }
        return "clock " + Self.signed(adjustedByNanos) + (uncertain ? " (uncertain)" : "")
    }

    /// The header's `clocks` row: how many steps and deliveries were adjusted, and how the times
    /// are shown; nil when no time was adjusted or flagged.
    func clockSummary(_ outline: FlowOutline) -> String? {
        let steps = outline.adjustedSteps
        let deliveries = outline.adjustedDeliveries
        let uncertain = outline.uncertain
        guard steps + deliveries + uncertain > 0 else { return nil }
        var text = "\(steps) \(steps == 1 ? "step" : "steps") and \(deliveries) \(deliveries == 1 ? "delivery" : "deliveries") adjusted for clock skew"
        if uncertain > 0 { text += " (\(uncertain) on thin evidence)" }
        return text + (rawTimes ? "; times shown as recorded" : "; --raw-times shows them as recorded")
    }

    /// `a − b` for two Unix times, saturating.
    static func difference(_ a: UInt64, _ b: UInt64) -> Int64 {
        a >= b ? Int64(clamping: a - b) : -Int64(clamping: b - a)
    }

    /// A signed duration: `+1.993s`, `-850µs`.
    static func signed(_ nanos: Int64) -> String {
        (nanos < 0 ? "-" : "+") + DurationFormat.string(nanos.magnitude)
    }
}
