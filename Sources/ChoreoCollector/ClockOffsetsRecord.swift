import ChoreoFlows

/// The clock offsets a ``FlowIndexer`` builds flows with and records with its judging.
///
/// They follow the indexer's ``SharedClockSkewEstimator``, but only by moves that matter:
/// recording the judging makes every reader of the store reread it, so offsets that moved by
/// less than a threshold (and kept their sources, references and certainty) are left as they
/// are. Offsets recorded in the store before this indexer started (by itself before a restart,
/// or by another collector on the same store) are used until this indexer's own estimate has a
/// certain offset.
struct ClockOffsetsRecord: Sendable {
    /// The offsets in use; nil before any was learned or adopted.
    private(set) var offsets: ClockOffsets?
    /// True once the store's recorded offsets were looked at.
    private(set) var loaded = false
    /// True while the offsets in use are those adopted from the store.
    private(set) var adopted = false
    /// The estimator's hop count when its offsets were last compared (none new: nothing to do).
    private(set) var hops = 0

    /// Takes the offsets recorded in the store, if any, as the ones in use.
    mutating func adopt(_ stored: ClockOffsets?) {
        loaded = true
        guard offsets == nil, let stored, !stored.bySource.isEmpty else { return }
        offsets = stored
        adopted = true
    }

    /// Takes `estimated` when it differs enough from the offsets in use.
    mutating func update(_ estimated: ClockOffsets, hops: Int, thresholdNanos: Int64) {
        self.hops = hops
        guard !estimated.bySource.isEmpty else { return }
        // Adopted offsets hold until this estimate knows some clock other than its reference.
        if adopted, !estimated.bySource.contains(where: { source, offset in !offset.uncertain && offset.reference != source }) { return }
        if let current = offsets, !adopted, !Self.differ(current, estimated, thresholdNanos: thresholdNanos) { return }
        offsets = estimated
        adopted = false
    }

    /// True when a source appeared or went, or changed its reference or certainty, or its
    /// offset moved by `thresholdNanos` or more.
    static func differ(_ a: ClockOffsets, _ b: ClockOffsets, thresholdNanos: Int64) -> Bool {
        guard a.bySource.count == b.bySource.count else { return true }
        for (source, old) in a.bySource {
            guard let new = b.bySource[source], new.reference == old.reference, new.uncertain == old.uncertain else { return true }
            if Int64.distance(old.nanos, new.nanos) >= thresholdNanos { return true }
        }
        return false
    }

    /// A non-negative duration in nanoseconds, saturating.
    static func nanos(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = max(0, seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : whole.addingReportingOverflow(max(0, attoseconds) / 1_000_000_000).partialValue
    }
}

extension Int64 {
    /// |a − b|, saturating at `Int64.max`.
    fileprivate static func distance(_ a: Int64, _ b: Int64) -> Int64 {
        let (difference, overflow) = a.subtractingReportingOverflow(b)
        return overflow || difference == .min ? .max : abs(difference)
    }
}
