import ChoreoFlows
import ChoreoStore

extension Flow {
    /// The flow's steps as the index keeps them for discovery (type, publisher, publish time).
    var trail: [FlowTrail.Step] {
        steps.map { FlowTrail.Step(type: $0.type, service: $0.source, publishedAtUnixNano: $0.publishedAtUnixNano) }
    }
}

extension FlowTrail {
    /// The trail as a path for process discovery.
    var path: FlowPath {
        FlowPath(correlationID: correlationID, events: steps.map {
            FlowPath.Event(type: $0.type, service: $0.service, publishedAtUnixNano: $0.publishedAtUnixNano)
        })
    }
}
