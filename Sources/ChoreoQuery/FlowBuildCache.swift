import ChoreoFlows
import ChoreoStore
import Synchronization

/// The last large flows the query service built, reused while their spans and the judging are
/// unchanged: the text view, the JSON, a page of steps and an export of the same flow (or the
/// pages a dashboard scrolls through) then cost one build of a flow of 100,000 steps, not one
/// each. Small flows are not kept (rebuilding them costs less than the fingerprint).
///
/// An entry is reused only when the store's ``FlowSpansFingerprint`` of the flow, the judging
/// and the correlation id are the same, and the verdict still holds at the time of the request
/// (``FlowBuilder/verdictHolds(for:now:)``).
public final class FlowBuildCache: Sendable {
    /// Flows with fewer steps are rebuilt on every request.
    public let minimumSteps: Int
    /// How many flows are kept, most recently used first.
    public let capacity: Int

    struct Entry {
        var correlationID: String
        var fingerprint: FlowSpansFingerprint
        var options: FlowOptions
        var flow: Flow
    }

    private let entries = Mutex<[Entry]>([])

    public init(minimumSteps: Int = 2_000, capacity: Int = 2) {
        self.minimumSteps = minimumSteps
        self.capacity = capacity
    }

    /// The kept flow for these inputs, if any (and it becomes the most recently used).
    func flow(correlationID: String, fingerprint: FlowSpansFingerprint, options: FlowOptions, now: UInt64) -> Flow? {
        entries.withLock { entries in
            guard
                let i = entries.firstIndex(where: {
                    $0.correlationID == correlationID && $0.fingerprint == fingerprint && $0.options == options
                })
            else { return nil }
            let entry = entries.remove(at: i)
            guard FlowBuilder(options: options).verdictHolds(for: entry.flow, now: now) else { return nil }
            entries.insert(entry, at: 0)
            return entry.flow
        }
    }

    /// Keeps `flow` when it is large enough, dropping the least recently used beyond capacity.
    public func keep(_ flow: Flow, fingerprint: FlowSpansFingerprint, options: FlowOptions) {
        guard flow.steps.count >= minimumSteps, capacity > 0 else { return }
        entries.withLock { entries in
            entries.removeAll { $0.correlationID == flow.correlationID }
            entries.insert(Entry(correlationID: flow.correlationID, fingerprint: fingerprint, options: options, flow: flow), at: 0)
            if entries.count > capacity { entries.removeLast(entries.count - capacity) }
        }
    }

    /// How many flows are kept now.
    public var count: Int { entries.withLock { $0.count } }
}
