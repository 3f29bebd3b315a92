import ChoreoModel
import Synchronization

/// Where the services write down the truth as they go: every message they publish, per
/// correlation id and in publish order, and how each flow ended.
///
/// Services record a publish before handing the message to the bus, so the order of a
/// flow's steps is the causal order even when the next handler runs at once.
public final class TruthRecorder: Sendable {
    private struct State {
        var flows: [String: FlowTruth] = [:]
        var waiters: [String: [CheckedContinuation<Void, any Error>]] = [:]
        var finished = 0
    }

    private let state = Mutex(State())

    /// Creates an empty recorder.
    public init() {}

    /// Records that a service is publishing `step` in flow `correlationID`.
    public func recordPublish(_ step: FlowStep, correlationID: String) {
        state.withLock { state in
            var flow = state.flows[correlationID] ?? FlowTruth(status: .inFlight, outcome: nil, types: [])
            flow.types.append(step.type.rawValue)
            flow.steps.append(step)
            state.flows[correlationID] = flow
        }
    }

    /// Records that flow `correlationID` ended with the terminal message `outcome`; its status is
    /// `compensated` if any of its messages was a compensation, else `completed`.
    public func recordEnd(correlationID: String, outcome: OrderMessageType) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            var flow = state.flows[correlationID] ?? FlowTruth(status: .inFlight, outcome: nil, types: [])
            if flow.outcome == nil { state.finished += 1 }
            flow.outcome = outcome.rawValue
            flow.status = flow.steps.contains { $0.compensates != nil } ? .compensated : .completed
            state.flows[correlationID] = flow
            return state.waiters.removeValue(forKey: correlationID) ?? []
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once flow `correlationID` has ended; throws `CancellationError` if cancelled first.
    public func waitUntilEnded(_ correlationID: String) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let ready: Bool? = state.withLock { state in
                    if state.flows[correlationID]?.outcome != nil { return true }
                    if Task.isCancelled { return false }
                    state.waiters[correlationID, default: []].append(continuation)
                    return nil
                }
                switch ready {
                case true?: continuation.resume()
                case false?: continuation.resume(throwing: CancellationError())
                case nil: break
                }
            }
        } onCancel: {
            // Wakes every waiter of this flow; each one that was cancelled rethrows.
            let waiters = state.withLock { $0.waiters.removeValue(forKey: correlationID) ?? [] }
            for waiter in waiters { waiter.resume(throwing: CancellationError()) }
        }
    }

    /// The number of flows that ended.
    public var endedCount: Int { state.withLock { $0.finished } }

    /// Everything recorded so far.
    public var truth: Truth { state.withLock { Truth(flows: $0.flows) } }
}
