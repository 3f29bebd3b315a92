import ChoreoModel
import Testing
import ChoreoFlows

@Suite("Compensations, deliveries and findings")
struct CompensationTests {
    let later = SpanScript.nanos(3_600_000)

    func build(_ script: SpanScript, options: FlowOptions = FlowOptions()) throws -> Flow {
        try #require(FlowBuilder(options: options).build(correlationID: script.correlationID, spans: script.spans, now: later))
    }

    @Test("a marked compensation is paired both ways")
    func marked() throws {
        let flow = try build(Sagas.compensated())
        let refund = try #require(flow.steps.first { $0.type == "RefundPayment" })
        let payment = try #require(flow.steps.first { $0.type == "PaymentReceived" })
        #expect(refund.compensation == .marked)
        #expect(refund.compensates == payment.messageID)
        #expect(payment.compensatedBy == refund.messageID)
        #expect(flow.findings.uncompensated.isEmpty)
    }

    @Test("a compensation declared in the definition is paired with the latest unpaired forward step")
    func declared() throws {
        var s = SpanScript()
        s.publish("m1", "OrderPlaced", by: "order", at: 0)
        s.deliver("m1", to: "payment", at: 1)
        s.publish("m2", "PaymentReceived", by: "payment", causedBy: "m1", at: 2)
        s.deliver("m2", to: "inventory", at: 3)
        s.publish("m3", "GoodsUnavailable", by: "inventory", causedBy: "m2", at: 4)
        s.deliver("m3", to: "payment", at: 5)
        s.publish("m4", "PaymentRefunded", by: "payment", causedBy: "m3", at: 6)
        s.deliver("m4", to: "order", at: 7)
        #expect(try build(s).status == .completed, "without a definition nothing marks the refund")
        let definition = FlowDefinition(compensations: ["PaymentRefunded": "PaymentReceived"])
        let flow = try build(s, options: FlowOptions(definition: definition))
        #expect(flow.status == .compensated)
        #expect(flow.steps[3].compensation == .declared)
        #expect(flow.steps[3].compensates == "m2")
        #expect(flow.steps[1].compensatedBy == "m4")
    }

    @Test("a failed flow whose compensable steps were not all compensated is failed and names them")
    func partlyCompensated() throws {
        var s = SpanScript()
        s.publish("m1", "OrderPlaced", by: "order", at: 0)
        s.deliver("m1", to: "payment", at: 1)
        s.publish("m2", "PaymentReceived", by: "payment", causedBy: "m1", at: 2)
        s.deliver("m2", to: "inventory", at: 3)
        s.publish("m3", "GoodsReserved", by: "inventory", causedBy: "m2", at: 4)
        s.deliver("m3", to: "shipment", attempt: 1, outcome: .deadLettered, error: "poison", at: 5)
        s.publish("m4", "RefundPayment", by: "order", causedBy: "m3", compensates: "m2", at: 6)
        s.deliver("m4", to: "payment", at: 7)
        #expect(try build(s).status == .compensated, "every step the flow itself compensates was undone")
        let definition = FlowDefinition(compensations: ["RefundPayment": "PaymentReceived", "GoodsReleased": "GoodsReserved"])
        let flow = try build(s, options: FlowOptions(definition: definition))
        #expect(flow.status == .failed)
        #expect(flow.findings.uncompensated == ["m3"])
        #expect(flow.findings.deadLettered == ["m3"])
    }

    @Test("deliveries carry queue time, handling time and every attempt with its error")
    func deliveryTimes() throws {
        let flow = try build(Sagas.retried())
        let delivery = try #require(flow.steps[1].deliveries.first)
        #expect(delivery.queueTimeNanos == 9_000_000)
        #expect(delivery.handlingTimeNanos == 1_000_000)
        #expect(delivery.attemptLog.map(\.attempt) == [1, 2])
        #expect(delivery.attemptLog.map(\.outcome) == [.retry, .handled])
        #expect(delivery.attemptLog[0].error == "db timeout")
    }

    @Test("unconsumed, dead-lettered and duplicate deliveries are listed")
    func findings() throws {
        var s = Sagas.waitingForInventory()
        s.deliver("m1", to: "payment", attempt: 2, outcome: .duplicateIgnored, at: 12)
        let flow = try build(s)
        #expect(flow.findings.unconsumed == ["m2"])
        #expect(flow.findings.duplicatesIgnored == 1)
        #expect(flow.status == .stuck && flow.waitingFor == "PaymentReceived")
        #expect(try build(Sagas.deadLettered()).findings.deadLettered == ["m2"])
    }

    @Test("a lost delivery span of a message the flow moved on from is a gap, not a wait")
    func unseenDelivery() throws {
        var s = Sagas.happy()
        s.drop { $0.kind == .consumer && $0.messageID == "m2" }
        let flow = try build(s)
        #expect(flow.status == .completed)
        #expect(flow.findings.unseenDeliveries == ["m2"])
        #expect(flow.gaps == 1)
    }
}

extension CompensationTests {
    @Test("a handled delivery followed by an ignored duplicate is no gap")
    func duplicateIsNoGap() throws {
        var s = Sagas.happy()
        s.deliver("m2", to: "inventory", attempt: 2, outcome: .duplicateIgnored, at: 22)
        let flow = try build(s)
        #expect(flow.gaps == 0)
        #expect(flow.findings.duplicatesIgnored == 1)
        #expect(flow.status == .completed)
    }
}
