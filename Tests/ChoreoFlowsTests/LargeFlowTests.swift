import ChoreoFlows
import ChoreoModel
import ChoreoTestSupport
import Testing

/// Huge flows: built and exported without recursion over the causation chain and without
/// quadratic work, every step present and in order (issue 17). 20,000 messages (40,000 spans)
/// keep a debug run short; a quadratic step costs 4·10^8 operations here, so it shows as a
/// time-out. LargeFlowEndToEndTests runs 100,000 through the collector, the CLI and the dashboard.
@Suite struct LargeFlowTests {
    static let count = 20_000

    @Test(arguments: [true, false])
    func everyStepOfAHugeFlowIsPresentAndOrdered(chain: Bool) throws {
        let spans = Array(LargeFlows.spans("big", count: Self.count, chain: chain).reversed())  // the builder must order them
        let clock = ContinuousClock()
        let started = clock.now
        let flow = try #require(FlowBuilder().build(correlationID: "big", spans: spans, now: LargeFlows.base))
        let took = clock.now - started
        #expect(flow.steps.count == Self.count)
        #expect(flow.steps.map(\.messageID) == (0..<Self.count).map { "big-\($0)" })
        #expect(flow.steps.allSatisfy { $0.deliveries.count == 1 && $0.deliveries[0].outcome == .handled })
        #expect(flow.status == .completed)
        #expect(flow.traceIDs.count == Self.count)
        #expect(flow.gaps == 0)
        #expect(flow.findings.unconsumed.isEmpty)
        // Generous for a loaded debug build; quadratic work would take hours.
        #expect(took < .seconds(60), "building \(Self.count) steps took \(took)")
    }

    @Test(arguments: [true, false])
    func exportsOfAHugeFlowHaveEveryStep(chain: Bool) throws {
        let flow = try #require(
            FlowBuilder().build(correlationID: "big", spans: LargeFlows.spans("big", count: Self.count, chain: chain), now: LargeFlows.base))
        let mermaid = FlowExport.mermaidSequence(flow)
        #expect(mermaid.utf8.count > Self.count * 20)
        #expect(mermaid.split(separator: "\n").filter { $0.contains("->>") }.count == Self.count)
        let dot = FlowExport.dot(flow)
        #expect(dot.split(separator: "\n").filter { $0.contains(" -> ") }.count == Self.count - 1)
        let xes = FlowExport.xes([flow.trail])
        #expect(xes.split(separator: "\n").filter { $0.contains("<event>") }.count == Self.count)
    }
}
