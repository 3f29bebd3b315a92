import ChoreoModel
import Synchronization

/// Where the services write down the truth as they go: every message they publish, per
/// correlation id and in publish order, and the facts that settle a flow — its terminal message
/// was handled, a delivery failed for good, or a message went to a topic nobody consumes.
///
/// Services record a publish before handing the message to the bus, so the order of a
/// flow's steps is the causal order even when the next handler runs at once. A flow's status
/// is derived from the facts by the rules of ``FlowTruth``.
public final class TruthRecorder: Sendable {
    struct Facts {
        var types: [String] = []
        var steps: [FlowStep] = []
        var compensated = false
        var ended: OrderMessageType?
        var failed = false
        var unrouted: OrderMessageType?

        var isSettled: Bool { ended != nil || failed || unrouted != nil }

        var truth: FlowTruth {
            if let unrouted {
                return FlowTruth(status: .stuck, outcome: nil, types: types, waitingFor: unrouted.rawValue, steps: steps)
            }
            let status: FlowStatus
            if !isSettled {
                status = .inFlight
            } else if compensated {
                status = .compensated
            } else if failed {
                status = .failed
            } else {
                status = .completed
            }
            let outcome = status == .failed || status == .inFlight ? nil : ended?.rawValue
            return FlowTruth(status: status, outcome: outcome, types: types, steps: steps)
        }
    }

    struct State {
        var flows: [String: Facts] = [:]
        var waiters: [String: [CheckedContinuation<Void, any Error>]] = [:]
        var settled = 0
    }

    let state = Mutex(State())

    /// Creates an empty recorder.
    public init() {}

    /// Records that a service is publishing `step` in flow `correlationID`.
    public func recordPublish(_ step: FlowStep, correlationID: String) {
        state.withLock { state in
            state.flows[correlationID, default: Facts()].types.append(step.type.rawValue)
            state.flows[correlationID, default: Facts()].steps.append(step)
            if step.compensates != nil { state.flows[correlationID, default: Facts()].compensated = true }
        }
    }

    /// Records that the flow's terminal message `outcome` was handled (by notification).
    public func recordEnd(correlationID: String, outcome: OrderMessageType) {
        settle(correlationID) { facts in
            if facts.ended == nil { facts.ended = outcome }
        }
    }

    /// Records that a service gave up on a message of the flow: its last attempt failed, so the
    /// bus dead-letters it.
    public func recordFailure(correlationID: String, type: OrderMessageType) {
        settle(correlationID) { $0.failed = true }
    }

    /// Records that a message of the flow was published to a topic nobody consumes; the first
    /// such type is what the flow waits for.
    public func recordUnrouted(correlationID: String, type: OrderMessageType) {
        settle(correlationID) { facts in
            if facts.unrouted == nil { facts.unrouted = type }
        }
    }

    private func settle(_ correlationID: String, _ update: (inout Facts) -> Void) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            let wasSettled = state.flows[correlationID]?.isSettled ?? false
            update(&state.flows[correlationID, default: Facts()])
            guard !wasSettled else { return [] }
            state.settled += 1
            return state.waiters.removeValue(forKey: correlationID) ?? []
        }
        for waiter in waiters { waiter.resume() }
    }

    /// The number of flows that reached a final state (ended, failed or stuck).
    public var settledCount: Int { state.withLock { $0.settled } }

    /// Everything recorded so far.
    public var truth: Truth { state.withLock { Truth(flows: $0.flows.mapValues(\.truth)) } }

    /// The number of flows in each status, from what was recorded so far.
    public var statusCounts: [FlowStatus: Int] {
        state.withLock { state in
            var counts: [FlowStatus: Int] = [:]
            for facts in state.flows.values { counts[facts.truth.status, default: 0] += 1 }
            return counts
        }
    }
}
