import ChoreoModel
import ChoreoStore

extension QueryService {
    /// What the index keeps of a flow whose spans tail sampling deleted (`choreo-collector
    /// --keep-healthy`), as one message for people; nil when the flow was not sampled out (or
    /// the store keeps no sampling marks).
    public func sampledOut(correlationID: String) async throws -> SampledOutNotice? {
        guard let sampling = index as? any FlowSamplingIndex,
            let flow = try await sampling.sampledOutFlows([correlationID])[correlationID]
        else { return nil }
        return SampledOutNotice(flow)
    }
}

/// A flow that was sampled out, described from its index entry: the status, counts, services and
/// trail (message types with their publishers, in order) that the index keeps for every flow.
public struct SampledOutNotice: Sendable, Hashable {
    public var flow: SampledOutFlow

    public init(_ flow: SampledOutFlow) { self.flow = flow }

    /// One message saying the flow was sampled out and what the index knows of it.
    public var message: String {
        let s = flow.summary
        let duration = s.lastActivityAtUnixNano >= s.startedAtUnixNano ? s.lastActivityAtUnixNano - s.startedAtUnixNano : 0
        var parts = [
            "status \(s.status.rawValue)" + (s.outcome.map { " (\($0))" } ?? ""),
            "\(s.stepCount) steps, \(s.compensationCount) compensations, \(s.errorCount) errors",
            "started \(UnixTime.rfc3339(s.startedAtUnixNano)), took \(DurationText.format(nanoseconds: Int64(min(duration, UInt64(Int64.max)))))",
        ]
        if !s.services.isEmpty { parts.append("services " + s.services.joined(separator: ", ")) }
        let trail = flow.trail.map { "\($0.type) (\($0.service))" }.joined(separator: " -> ")
        if !trail.isEmpty { parts.append("trail " + trail) }
        return "flow \"\(s.correlationID)\" was sampled out at \(UnixTime.rfc3339(flow.sampledOutAtUnixNano)) "
            + "(choreo-collector --keep-healthy): it settled healthy, so its spans were deleted (but for any with an error status) "
            + "and it cannot be rebuilt; "
            + "the flow index keeps it: " + parts.joined(separator: "; ")
    }
}
