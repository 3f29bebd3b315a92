import ChoreoModel

extension Flow {
    /// The flow's trail: one step per published message, in step order.
    public var trail: FlowTrail {
        FlowTrail(
            correlationID: correlationID,
            steps: steps.map { FlowTrail.Step(type: $0.type, service: $0.source, publishedAtUnixNano: $0.publishedAtUnixNano) }
        )
    }
}
