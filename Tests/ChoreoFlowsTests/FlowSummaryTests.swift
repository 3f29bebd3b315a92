import ChoreoModel
import Testing
import ChoreoFlows

@Suite("FlowBuilder.summary")
struct FlowSummaryTests {
    let builder = FlowBuilder()

    @Test("a summary counts steps, compensations and failed attempts, and lists services and types")
    func summary() throws {
        var script = Sagas.compensated()
        script.deliver("m3", to: "order", attempt: 2, outcome: .duplicateIgnored, at: 35)
        let flow = try #require(builder.build(correlationID: "order-1", spans: script.spans, now: SpanScript.nanos(100)))
        let summary = builder.summary(of: flow)
        #expect(summary.correlationID == "order-1")
        #expect(summary.status == .compensated)
        #expect(summary.outcome == "OrderCancelled")
        #expect(summary.stepCount == 6)
        #expect(summary.compensationCount == 1)
        #expect(summary.errorCount == 0)
        #expect(summary.services == ["inventory", "notification", "order", "payment"])
        #expect(summary.types == ["OrderPlaced", "PaymentReceived", "InventoryUnavailable", "RefundPayment", "PaymentRefunded", "OrderCancelled"])
        #expect(summary.startedAtUnixNano == flow.startedAtUnixNano)
        #expect(summary.lastActivityAtUnixNano == flow.endedAtUnixNano)
        #expect(summary.waitingFor == nil)
    }

    @Test("a pending flow's summary names what it waits for and has no outcome")
    func pending() throws {
        let script = Sagas.waitingForInventory()
        let flow = try #require(builder.build(correlationID: "order-1", spans: script.spans, now: SpanScript.nanos(20)))
        let summary = builder.summary(of: flow)
        #expect(summary.status == .inFlight)
        #expect(summary.waitingFor == "PaymentReceived")
        #expect(summary.outcome == nil)
        #expect(summary.types == ["OrderPlaced", "PaymentReceived"])
    }

    @Test("types repeat only once, in first-seen order")
    func uniqueTypes() throws {
        var script = Sagas.declined()
        script.publish("m4", "OrderPlaced", by: "order", causedBy: "m3", at: 40)
        script.deliver("m4", to: "payment", at: 41)
        let flow = try #require(builder.build(correlationID: "order-1", spans: script.spans, now: SpanScript.nanos(100)))
        #expect(builder.summary(of: flow).types == ["OrderPlaced", "PaymentDeclined", "OrderCancelled"])
        #expect(builder.summary(of: flow).stepCount == 4)
    }
}
