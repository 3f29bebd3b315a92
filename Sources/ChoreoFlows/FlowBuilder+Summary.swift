import ChoreoModel

extension FlowBuilder {
    /// The indexed summary of a flow, as the collector stores it and `choreo flows list` shows it.
    ///
    /// `error_count` is the number of failed delivery attempts; `services` are publishers and
    /// consumers (sorted, unknown publishers left out); `types` are in first-seen order.
    public func summary(of flow: Flow) -> FlowSummary {
        var services: Set<String> = []
        var types: [String] = []
        var seenTypes: Set<String> = []
        for step in flow.steps {
            if step.source != FlowStep.unknownSource { services.insert(step.source) }
            if seenTypes.insert(step.type).inserted { types.append(step.type) }
            for delivery in step.deliveries { services.insert(delivery.service ?? delivery.consumer) }
        }
        return FlowSummary(
            correlationID: flow.correlationID,
            status: flow.status,
            outcome: flow.outcome,
            startedAtUnixNano: flow.startedAtUnixNano,
            lastActivityAtUnixNano: flow.endedAtUnixNano,
            stepCount: flow.steps.count,
            compensationCount: flow.steps.filter(\.isCompensation).count,
            errorCount: flow.steps.reduce(0) { $0 + $1.deliveries.reduce(0) { $0 + $1.failedAttempts } },
            waitingFor: flow.waitingFor,
            services: services.sorted(),
            types: types
        )
    }
}
