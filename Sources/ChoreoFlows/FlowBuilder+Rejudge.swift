import ChoreoModel

extension FlowBuilder {
    /// True when `flow`, built by this builder at some earlier time, is still what a build at
    /// `now` would give from the same spans. Only a pending flow's status depends on the time:
    /// an `in_flight` one turns `stuck` once its idle time passes the limit of the type it waits
    /// for (then it must be rebuilt: a stuck flow's findings differ); a stuck one stays stuck,
    /// and a settled one stays settled.
    public func verdictHolds(for flow: Flow, now: UInt64) -> Bool {
        guard flow.status == .inFlight else { return true }
        let idle = now > flow.endedAtUnixNano ? now - flow.endedAtUnixNano : 0
        return idle <= options.stuckLimitNanos(waitingFor: flow.waitingFor ?? "")
    }
}
