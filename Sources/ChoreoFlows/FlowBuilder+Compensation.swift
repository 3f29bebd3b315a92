import ChoreoModel

extension FlowBuilder {
    /// Pairs every compensation with the forward step it undoes.
    ///
    /// A marked compensation names its target (`compensates`). A step whose type the flow
    /// definition declares a compensation of type `T` (and that is not marked) is paired with the
    /// latest earlier step of type `T` that nothing compensates yet, else the earliest later one
    /// (clock skew between services); it counts as a compensation even when no such step exists.
    func pairCompensations(_ built: inout [BuiltStep]) {
        // The index of message ids only when some step names its target (a flow of 100,000
        // forward steps would hash every id for nothing).
        if built.contains(where: { $0.step.compensates != nil }) {
            var index = [String: Int](minimumCapacity: built.count)
            for (i, b) in built.enumerated() where index[b.step.messageID] == nil { index[b.step.messageID] = i }
            for i in built.indices {
                guard let target = built[i].step.compensates, let j = index[target], j != i else { continue }
                if built[j].step.compensatedBy == nil { built[j].step.compensatedBy = built[i].step.messageID }
            }
        }
        guard let declared = options.definition?.compensations, !declared.isEmpty else { return }
        for i in built.indices where built[i].step.compensates == nil {
            guard let forward = declared[built[i].step.type] else { continue }
            built[i].step.compensation = .declared
            func candidate(_ j: Int) -> Bool {
                built[j].step.type == forward && !built[j].step.isCompensation && built[j].step.compensatedBy == nil
            }
            guard let j = built.indices[..<i].last(where: candidate) ?? built.indices[(i + 1)...].first(where: candidate) else { continue }
            built[i].step.compensates = built[j].step.messageID
            built[j].step.compensatedBy = built[i].step.messageID
        }
    }

    /// Message ids of forward steps of a compensable type that no compensation undid.
    ///
    /// Compensable types are the forward types of the definition's compensations, else the
    /// types that some compensation in this flow undoes.
    func uncompensated(_ steps: [FlowStep]) -> [String] {
        var compensable = Set(options.definition?.compensations.values.map { $0 } ?? [])
        if compensable.isEmpty {
            let byID = Dictionary(steps.map { ($0.messageID, $0.type) }, uniquingKeysWith: { a, _ in a })
            compensable = Set(steps.compactMap { $0.compensates.flatMap { byID[$0] } })
        }
        guard !compensable.isEmpty else { return [] }
        return steps.filter { compensable.contains($0.type) && !$0.isCompensation && $0.compensatedBy == nil }.map(\.messageID)
    }

    /// The findings of a built flow: unconsumed and dead-lettered messages, duplicates, gaps
    /// (causes never seen, and handled deliveries never seen although the flow moved on),
    /// uncompensated steps (when the flow failed or compensated) and definition deviations.
    func findings(of steps: [FlowStep], status: FlowStatus) -> FlowFindings {
        let terminal = options.effectiveTerminalTypes
        let ids = Set(steps.map(\.messageID))
        var gapIDs: [String] = []
        for step in steps {
            if let cause = step.causationID, !ids.contains(cause), !gapIDs.contains(cause) { gapIDs.append(cause) }
        }
        let unwound = status == .failed || status == .compensated
        let causes = Set(steps.compactMap(\.causationID))
        return FlowFindings(
            unconsumed: steps.filter { $0.deliveries.isEmpty && !terminal.contains($0.type) && !causes.contains($0.messageID) }
                .map(\.messageID),
            deadLettered: steps.filter { $0.deliveries.contains { $0.outcome == .deadLettered } }.map(\.messageID),
            duplicatesIgnored: steps.reduce(0) { total, step in
                total + step.deliveries.reduce(0) { $0 + $1.attemptLog.filter { $0.outcome == .duplicateIgnored }.count }
            },
            gapIDs: gapIDs.sorted(),
            unseenDeliveries: steps.filter { step in
                causes.contains(step.messageID)
                    && !step.deliveries.contains { delivery in
                        delivery.attemptLog.contains { $0.outcome == .handled || $0.outcome == .duplicateIgnored }
                    }
            }.map(\.messageID),
            unseenRetries: status != .stuck
                ? []
                : steps.filter { step in
                    !causes.contains(step.messageID) && step.deliveries.contains { $0.outcome == .retry }
                }.map(\.messageID),
            uncompensated: unwound ? uncompensated(steps) : [],
            deviations: options.definition?.deviations(of: steps, settled: status != .inFlight && status != .stuck) ?? []
        )
    }
}
