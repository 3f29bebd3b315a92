import ChoreoModel
import Testing
import ChoreoFlows

@Suite("Process discovery: map and variants")
struct ProcessMapTests {
    let later = SpanScript.nanos(3_600_000)

    func flow(_ script: SpanScript, id: String? = nil) throws -> Flow {
        var flow = try #require(FlowBuilder().build(correlationID: script.correlationID, spans: script.spans, now: later))
        if let id { flow.correlationID = id }
        return flow
    }

    @Test("edges count directly-follows pairs across flows, with nearest-rank p50/p95 of publish gaps")
    func edgesAndPercentiles() throws {
        let paths = [
            try flow(Sagas.happy(), id: "a").trail, try flow(Sagas.happy(), id: "b").trail,
            try flow(Sagas.declined(), id: "c").trail,
        ]
        let map = ProcessMap(trails: paths)
        #expect(map.flows == 3)
        let counts = Dictionary(map.edges.map { ("\($0.from)>\($0.to)", $0.count) }, uniquingKeysWith: +)
        #expect(counts["OrderPlaced>PaymentReceived"] == 2)
        #expect(counts["OrderPlaced>PaymentDeclined"] == 1)
        #expect(counts["ShipmentDispatched>OrderCompleted"] == 2)
        let total = counts.values.reduce(0, +)
        #expect(total == 10)
        let placed = try #require(map.nodes.first { $0.type == "OrderPlaced" })
        #expect(placed.count == 3 && placed.starts == 3 && placed.ends == 0)
        #expect(map.nodes.first?.type == "OrderPlaced", "most frequent node first")
        // Happy path publishes 11 ms apart (0 → 11).
        let first = try #require(map.edges.first { $0.from == "OrderPlaced" && $0.to == "PaymentReceived" })
        #expect(first.p50Nanos == 11_000_000 && first.p95Nanos == 11_000_000)
        #expect(map.edges.first?.count == 2, "most frequent edge first")
    }

    @Test("percentiles are nearest rank over every transition")
    func percentileRank() {
        let paths = (1...20).map { i in
            FlowTrail(
                correlationID: "f\(i)",
                steps: [
                    .init(type: "A", service: "s", publishedAtUnixNano: 0),
                    .init(type: "B", service: "s", publishedAtUnixNano: UInt64(i) * 1_000_000),
                ])
        }
        let edge = ProcessMap(trails: paths).edges[0]
        #expect(edge.p50Nanos == 10_000_000)
        #expect(edge.p95Nanos == 19_000_000)
    }

    @Test("variants group identical type sequences, most frequent first, with shares and a stable example")
    func variants() throws {
        let paths = [
            try flow(Sagas.happy(), id: "z").trail, try flow(Sagas.happy(), id: "b").trail,
            try flow(Sagas.compensated(), id: "c").trail,
        ]
        let report = VariantReport(trails: paths)
        #expect(report.flows == 3)
        #expect(report.variants.count == 2)
        #expect(report.variants[0].count == 2)
        #expect(report.variants[0].example == "b")
        #expect(abs(report.variants[0].share - 2.0 / 3.0) < 1e-9)
        #expect(report.variants[1].types.contains("RefundPayment"))
        #expect(report.prefix(1).variants.count == 1)
    }

    @Test("both trace modes yield the same flow and the same map", arguments: Scenario.allCases)
    func traceModes(_ scenario: Scenario) throws {
        let single = try flow(scenario.script(.single))
        let perStep = try flow(scenario.script(.perStep))
        #expect(single.status == perStep.status)
        #expect(single.trail == perStep.trail)
        #expect(single.steps.map(\.deliveries) == perStep.steps.map(\.deliveries))
        #expect(ProcessMap(trails: [single.trail]) == ProcessMap(trails: [perStep.trail]))
    }
}
