import OrderFulfilment
import Testing

/// Checks a flow's recorded steps against `steps`: the types (in order when `exact`, else as
/// a multiset), each step's cause among the allowed types, and each compensation's target.
func expectSteps(
    _ recorded: [FlowStep], _ steps: [ExpectedStep], exact: Bool, sourceLocation: SourceLocation = #_sourceLocation
) {
    let types = recorded.map(\.type.rawValue)
    let expected = steps.map(\.type.rawValue)
    if exact {
        #expect(types == expected, sourceLocation: sourceLocation)
    } else {
        #expect(types.sorted() == expected.sorted(), sourceLocation: sourceLocation)
    }
    let byID = Dictionary(uniqueKeysWithValues: recorded.map { ($0.messageID, $0) })
    for step in recorded {
        guard let rule = steps.first(where: { $0.type == step.type }) else { continue }
        let cause = step.causationID.flatMap { byID[$0]?.type }
        if rule.causes.isEmpty {
            #expect(step.causationID == nil, "\(step.type) starts the flow", sourceLocation: sourceLocation)
        } else {
            #expect(cause.map(rule.causes.contains) == true, "\(step.type) caused by \(String(describing: cause))", sourceLocation: sourceLocation)
        }
        let compensated = step.compensates.flatMap { byID[$0]?.type }
        #expect(compensated == rule.compensates, "\(step.type) compensates \(String(describing: compensated))", sourceLocation: sourceLocation)
    }
}
