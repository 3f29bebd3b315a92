import ChoreoFlows
import ChoreoStore

extension Flow {
    /// The flow's steps as the index keeps them for discovery (type, publisher, publish time).
    public var trail: [FlowTrail.Step] {
        steps.map { FlowTrail.Step(type: $0.type, service: $0.source, publishedAtUnixNano: $0.publishedAtUnixNano) }
    }
}
