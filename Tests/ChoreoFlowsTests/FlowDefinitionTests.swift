import ChoreoModel
import Testing
@testable import ChoreoFlows

@Suite("Flow definition: parsing and conformance")
struct FlowDefinitionTests {
    static let yaml = """
        name: orders
        terminal: [OrderCompleted, OrderCancelled]
        compensations:
          RefundPayment: PaymentReceived
        transitions:
          - {from: OrderPlaced, to: PaymentReceived, within: 5ms}
          - {from: PaymentReceived, to: InventoryReserved}
          - {from: InventoryReserved, to: ShipmentDispatched, within: 1m}
          - {from: ShipmentDispatched, to: OrderCompleted}
          - {from: OrderPlaced, to: PaymentDeclined}
          - {from: PaymentDeclined, to: OrderCancelled}
        """

    @Test("YAML and JSON parse to the same definition")
    func parsing() throws {
        let fromYAML = try FlowDefinition(parsing: Self.yaml)
        let json = """
            {"name": "orders", "terminal": ["OrderCompleted", "OrderCancelled"],
             "compensations": {"RefundPayment": "PaymentReceived"},
             "transitions": [{"from": "OrderPlaced", "to": "PaymentReceived", "within": 0.005},
               {"from": "PaymentReceived", "to": "InventoryReserved"},
               {"from": "InventoryReserved", "to": "ShipmentDispatched", "within": 60},
               {"from": "ShipmentDispatched", "to": "OrderCompleted"},
               {"from": "OrderPlaced", "to": "PaymentDeclined"}, {"from": "PaymentDeclined", "to": "OrderCancelled"}]}
            """
        let fromJSON = try FlowDefinition(parsing: json)
        #expect(fromYAML == fromJSON)
        #expect(fromYAML.transitions[0].withinNanos == 5_000_000)
        #expect(fromYAML.startTypes == ["OrderPlaced"])
        #expect(fromYAML.stuckLimitsNanos["InventoryReserved"] == 60_000_000_000)
    }

    @Test("an expected order is shorthand for consecutive transitions")
    func orderShorthand() throws {
        let definition = try FlowDefinition(parsing: "order: [A, B, C]\ntransitions: [{from: A, to: B, within: 2s}]")
        #expect(definition.transitions.map { "\($0.from)>\($0.to)" } == ["A>B", "B>C"])
        #expect(definition.transitions[0].withinNanos == 2_000_000_000)
    }

    @Test(
        "bad definitions name the problem",
        arguments: [
            ("[1, 2]", "top level"), ("terminals: [A]", "unknown key"), ("transitions: [{from: A}]", "from and to"),
            ("transitions: [{from: A, to: B, within: soon}]", "duration"), ("compensations: [A]", "compensations"),
        ])
    func errors(_ text: String, _ fragment: String) {
        #expect { try FlowDefinition(parsing: text) } throws: { error in
            (error as? FlowDefinitionError)?.message.contains(fragment) == true
        }
    }

    func flow(_ script: SpanScript, definition: FlowDefinition) throws -> Flow {
        try #require(
            FlowBuilder(options: FlowOptions(definition: definition))
                .build(correlationID: script.correlationID, spans: script.spans, now: SpanScript.nanos(3_600_000)))
    }

    @Test("a conforming flow has no deviations except a transition slower than its limit")
    func conforming() throws {
        let definition = try FlowDefinition(parsing: Self.yaml)
        let deviations = try flow(Sagas.happy(), definition: definition).findings.deviations
        #expect(deviations.map(\.kind) == [.slowTransition])
        #expect(deviations.first?.type == "PaymentReceived")
        #expect(try flow(Sagas.declined(), definition: definition).findings.deviations.isEmpty)
    }

    @Test("unexpected types, missing steps and wrong order are reported")
    func deviations() throws {
        let definition = try FlowDefinition(parsing: Self.yaml)
        func step(_ id: String, _ type: String, _ ms: UInt64) -> FlowStep {
            FlowStep(messageID: id, type: type, source: "s", causationID: nil, compensates: nil, publishedAtUnixNano: ms * 1_000_000)
        }
        // Skips InventoryReserved, then ships; plus an unknown type.
        let skipped = definition.deviations(
            of: [
                step("1", "OrderPlaced", 0), step("2", "PaymentReceived", 1), step("3", "Audit", 2),
                step("4", "ShipmentDispatched", 3), step("5", "OrderCompleted", 4),
            ], settled: true)
        #expect(skipped.contains { $0.kind == .unexpectedType && $0.type == "Audit" && $0.messageID == "3" })
        #expect(skipped.contains { $0.kind == .missingStep && $0.type == "InventoryReserved" })
        // Ships before reserving.
        let swapped = definition.deviations(
            of: [
                step("1", "OrderPlaced", 0), step("2", "PaymentReceived", 1), step("3", "ShipmentDispatched", 2),
                step("4", "InventoryReserved", 3), step("5", "OrderCompleted", 4),
            ], settled: true)
        #expect(swapped.contains { $0.kind == .wrongOrder && $0.type == "InventoryReserved" })
        // Ends early.
        let early = definition.deviations(of: [step("1", "OrderPlaced", 0), step("2", "PaymentReceived", 1)], settled: true)
        #expect(early.contains { $0.kind == .missingStep && $0.type == "InventoryReserved" })
        #expect(definition.deviations(of: [step("1", "OrderPlaced", 0), step("2", "PaymentReceived", 1)], settled: false).isEmpty)
        // Starts in the middle.
        let late = definition.deviations(of: [step("1", "PaymentDeclined", 0), step("2", "OrderCancelled", 1)], settled: true)
        #expect(late.map(\.kind) == [.wrongOrder])
    }

    @Test("definition time limits decide stuck before learned limits")
    func timeLimits() throws {
        let definition = try FlowDefinition(parsing: "transitions: [{from: PaymentReceived, to: InventoryReserved, within: 1s}]")
        let script = Sagas.waitingForInventory()
        let options = FlowOptions(stuckLimits: StuckLimits(fallbackNanos: 3_600_000_000_000), definition: definition)
        let flow = try #require(FlowBuilder(options: options).build(correlationID: script.correlationID, spans: script.spans, now: SpanScript.nanos(2_000)))
        #expect(flow.status == .stuck)
        #expect(flow.waitingFor == "PaymentReceived")
        #expect(options.smallestStuckLimitNanos == 1_000_000_000)
    }
}
