import ChoreoModel

/// The judgement of a flow: its status, what it waits for and its business outcome.
struct FlowVerdict: Equatable {
    var status: FlowStatus
    var waitingFor: String?
    var outcome: String?
}

extension FlowBuilder {
    /// Judges a flow from its steps (in publish order) and its last activity.
    ///
    /// A step is pending when it has no delivery (and its type is not terminal) or some delivery's
    /// latest outcome is `retry`. A pending flow waits for its earliest pending step; it is `stuck`
    /// once `now - lastActivity` exceeds the time limit of that step's type, else `in_flight`. A settled flow is
    /// `failed` when a delivery failed for good and some compensable step was not compensated
    /// (``uncompensated(_:)``), else `compensated` when any step compensates another, else `failed` when a delivery failed for
    /// good and not every compensable step was compensated, else `completed`. A failed flow has no outcome unless terminal types are declared
    /// and one was reached.
    func judge(_ steps: [BuiltStep], lastActivity: UInt64, now: UInt64) -> FlowVerdict {
        let causes = Set(steps.compactMap(\.step.causationID))
        if let pending = steps.first(where: { isPending($0.step, causes: causes) }) {
            let idle = now > lastActivity ? now - lastActivity : 0
            let limit = options.stuckLimitNanos(waitingFor: pending.step.type)
            let status: FlowStatus = idle > limit ? .stuck : .inFlight
            return FlowVerdict(status: status, waitingFor: pending.step.type, outcome: nil)
        }
        let compensated = steps.contains { $0.step.isCompensation }
        let broken = steps.contains(where: \.hasFinalFailure)
        let status: FlowStatus
        if broken && (!compensated || !uncompensated(steps.map(\.step)).isEmpty) {
            status = .failed
        } else if compensated {
            status = .compensated
        } else {
            status = .completed
        }
        // A failed flow broke before its end: without declared terminal types, whatever leaf
        // another branch reached is not its business result.
        let terminal = options.effectiveTerminalTypes
        let result = status == .failed && terminal.isEmpty ? nil : outcome(of: steps.map(\.step))
        return FlowVerdict(status: status, waitingFor: nil, outcome: result)
    }

    /// A step is pending when no delivery settled it, unless the flow moved on from it (its
    /// handling published other steps: the settling delivery's span was lost, a gap).
    private func isPending(_ step: FlowStep, causes: Set<String>) -> Bool {
        if causes.contains(step.messageID) { return false }
        if step.deliveries.isEmpty { return !options.effectiveTerminalTypes.contains(step.type) }
        return step.deliveries.contains { $0.outcome == .retry }
    }

    /// The business result of a settled flow.
    ///
    /// With terminal types: the latest terminal step's type. Otherwise the latest-published leaf
    /// step (no step was caused by it) whose deliveries were all handled or ignored as duplicates;
    /// nil when there is none (e.g. a flow that ends in a dead-lettered message).
    func outcome(of steps: [FlowStep]) -> String? {
        let terminal = options.effectiveTerminalTypes
        if !terminal.isEmpty {
            return steps.last { terminal.contains($0.type) }?.type
        }
        let causes = Set(steps.compactMap(\.causationID))
        return steps.last { step in
            !causes.contains(step.messageID)
                && step.deliveries.allSatisfy { $0.outcome == .handled || $0.outcome == .duplicateIgnored }
        }?.type
    }
}
