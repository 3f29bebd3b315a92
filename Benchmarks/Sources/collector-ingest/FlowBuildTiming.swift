import BenchSupport
import ChoreoFlows
import ChoreoModel

/// `--flow-build`: the flow builder alone on this workload's flows, the part of the collector's
/// flow indexer that rebuilds each flow its new spans touched (no store, no I/O). Prints the
/// CPU time per flow and per span, the p50 over rounds, so the indexer's share of the
/// collector's CPU per span can be read next to the HTTP case.
enum FlowBuildTiming {
    static func run(workload: Workload, rounds: Int) {
        var byFlow: [String: [SpanRecord]] = [:]
        var order: [String] = []
        for span in workload.batches.joined() {
            guard let id = span.flowCorrelationID else { continue }
            if byFlow[id] == nil { order.append(id) }
            byFlow[id, default: []].append(span)
        }
        let flows = order.map { (id: $0, spans: byFlow[$0] ?? []) }
        let spanCount = flows.reduce(0) { $0 + $1.spans.count }
        let builder = FlowBuilder(options: FlowOptions())
        let now: UInt64 = 1_900_000_000_000_000_000
        var perFlow: [Double] = []
        var built = 0
        for _ in 0..<max(1, rounds) {
            let start = ProcessCPUTime.nanoseconds()
            for flow in flows where builder.build(correlationID: flow.id, spans: flow.spans, now: now) != nil { built += 1 }
            perFlow.append(Double(ProcessCPUTime.nanoseconds() - start) / Double(flows.count))
        }
        perFlow.sort()
        let p50 = perFlow[perFlow.count / 2]
        let spansPerFlow = Double(spanCount) / Double(flows.count)
        print("- flow builder alone: \(flows.count) flows of \(String(format: "%.1f", spansPerFlow)) spans, \(rounds) rounds (\(built) builds)")
        print(
            "  CPU per flow p50 \(String(format: "%.1f", p50 / 1000)) µs (best \(String(format: "%.1f", perFlow[0] / 1000))), per span \(String(format: "%.2f", p50 / spansPerFlow / 1000)) µs"
        )
    }
}
