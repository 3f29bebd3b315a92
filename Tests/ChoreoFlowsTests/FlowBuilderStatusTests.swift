import ChoreoModel
import Testing
import ChoreoFlows

@Suite("FlowBuilder: status and outcome")
struct FlowBuilderStatusTests {
    let builder = FlowBuilder()
    /// Long after every scenario ended; settled flows do not depend on it.
    let later = SpanScript.nanos(3_600_000)

    func build(_ script: SpanScript, now: UInt64? = nil, builder: FlowBuilder? = nil) throws -> Flow {
        try #require((builder ?? self.builder).build(correlationID: script.correlationID, spans: script.spans, now: now ?? later))
    }

    @Test("a happy order completes with its terminal message as outcome")
    func happyPath() throws {
        let flow = try build(Sagas.happy())
        #expect(flow.status == .completed)
        #expect(flow.outcome == "OrderCompleted")
        #expect(flow.waitingFor == nil)
        #expect(flow.gaps == 0)
        #expect(flow.steps.map(\.type) == ["OrderPlaced", "PaymentReceived", "InventoryReserved", "ShipmentDispatched", "OrderCompleted"])
        #expect(flow.steps.map(\.source) == ["order", "payment", "inventory", "shipment", "order"])
        #expect(flow.steps[1].causationID == "m1")
        #expect(flow.steps[0].causationID == nil)
        #expect(flow.steps[2].deliveries.map(\.consumer) == ["shipment"])
        #expect(flow.startedAtUnixNano == SpanScript.nanos(0))
        #expect(flow.endedAtUnixNano == SpanScript.nanos(51))
    }

    @Test("a declined card completes with outcome OrderCancelled")
    func declinedPayment() throws {
        let flow = try build(Sagas.declined())
        #expect(flow.status == .completed)
        #expect(flow.outcome == "OrderCancelled")
    }

    @Test("a refund compensating the payment makes the flow compensated, outcome OrderCancelled")
    func compensation() throws {
        let flow = try build(Sagas.compensated())
        #expect(flow.status == .compensated)
        #expect(flow.outcome == "OrderCancelled")
        let refund = try #require(flow.steps.first { $0.type == "RefundPayment" })
        #expect(refund.compensates == "m2")
        #expect(builder.summary(of: flow).compensationCount == 1)
    }

    @Test("a retried delivery that then succeeds counts its attempts and keeps the first error")
    func retryThenSuccess() throws {
        let flow = try build(Sagas.retried())
        #expect(flow.status == .completed)
        #expect(flow.outcome == "OrderCompleted")
        let delivery = try #require(flow.steps.first { $0.messageID == "m2" }?.deliveries.first)
        #expect(delivery.consumer == "inventory")
        #expect(delivery.attempts == 2)
        #expect(delivery.outcome == .handled)
        #expect(delivery.error == "db timeout")
        #expect(delivery.failedAttempts == 1)
        #expect(delivery.firstStartedAtUnixNano == SpanScript.nanos(20))
        #expect(delivery.lastEndedAtUnixNano == SpanScript.nanos(26))
        #expect(builder.summary(of: flow).errorCount == 1)
    }

    @Test("a dead-lettered message fails the flow, with no outcome")
    func deadLettered() throws {
        let flow = try build(Sagas.deadLettered())
        #expect(flow.status == .failed)
        #expect(flow.outcome == nil)
        #expect(flow.waitingFor == nil)
        let delivery = try #require(flow.steps.last?.deliveries.first)
        #expect(delivery.attempts == 3)
        #expect(delivery.outcome == .deadLettered)
        #expect(delivery.error == "db still down")
        #expect(builder.summary(of: flow).errorCount == 3)
    }

    @Test("a failed flow has no outcome, even when another branch reached a handled leaf")
    func failedBranchHasNoOutcome() throws {
        let flow = try build(Sagas.failedBranch())
        #expect(flow.status == .failed)
        #expect(flow.outcome == nil)
    }

    @Test("a failed flow that reached a declared terminal type keeps it as its outcome")
    func failedWithDeclaredTerminal() throws {
        let flow = try build(Sagas.failedBranch(), builder: FlowBuilder(options: FlowOptions(terminalTypes: ["PaymentReceived"])))
        #expect(flow.status == .failed)
        #expect(flow.outcome == "PaymentReceived")
    }

    @Test("an undelivered message is in flight within the time limit and stuck after it")
    func inFlightThenStuck() throws {
        let script = Sagas.waitingForInventory()
        let lastActivity = SpanScript.nanos(12)
        let minute: UInt64 = 60_000_000_000
        let early = try build(script, now: lastActivity + minute)
        #expect(early.status == .inFlight)
        #expect(early.waitingFor == "PaymentReceived")
        #expect(early.outcome == nil)
        let atLimit = try build(script, now: lastActivity + 5 * minute)
        #expect(atLimit.status == .inFlight)
        let late = try build(script, now: lastActivity + 5 * minute + 1)
        #expect(late.status == .stuck)
        #expect(late.waitingFor == "PaymentReceived")
        let strict = FlowBuilder(options: FlowOptions(stuckAfterNanos: minute / 2))
        #expect(try build(script, now: lastActivity + minute, builder: strict).status == .stuck)
    }

    @Test("a delivery whose latest attempt asked for a retry keeps the flow pending")
    func pendingRetry() throws {
        var script = Sagas.waitingForInventory()
        script.deliver("m2", to: "inventory", attempt: 1, outcome: .retry, error: "busy", at: 20)
        let flow = try build(script, now: SpanScript.nanos(30))
        #expect(flow.status == .inFlight)
        #expect(flow.waitingFor == "PaymentReceived")
    }

    @Test("terminal types settle an undelivered terminal message and name the outcome")
    func terminalTypes() throws {
        var script = Sagas.happy()
        script.drop { $0.kind == .consumer && $0.messageID == "m5" }
        let heuristic = try build(script)
        #expect(heuristic.status == .stuck)
        #expect(heuristic.waitingFor == "OrderCompleted")

        let declared = FlowBuilder(options: FlowOptions(terminalTypes: ["OrderCompleted", "OrderCancelled"]))
        let flow = try build(script, builder: declared)
        #expect(flow.status == .completed)
        #expect(flow.outcome == "OrderCompleted")
        #expect(try build(Sagas.deadLettered(), builder: declared).outcome == nil)
    }

    @Test("a failed latest attempt without an outcome attribute counts as final")
    func failureWithoutOutcome() throws {
        var spans = Sagas.declined().spans
        let index = try #require(spans.lastIndex { $0.kind == .consumer })
        spans[index].attributes[ChoreoKey.deliveryOutcome] = nil
        spans[index].attributes[MessagingKey.errorType] = .string("Timeout")
        spans[index].statusCode = .error
        let flow = try #require(builder.build(correlationID: "order-1", spans: spans, now: later))
        #expect(flow.status == .failed)
        #expect(flow.outcome == nil)
        #expect(flow.steps.last?.deliveries.first?.error == "Timeout")
    }

    @Test("no flow without a messaging span of that correlation id")
    func noFlow() {
        let script = Sagas.happy()
        #expect(builder.build(correlationID: "order-2", spans: script.spans, now: later) == nil)
        let plain = SpanRecord(
            traceID: TraceID(high: 1, low: 1), spanID: SpanID(1), name: "GET /orders",
            startTimeUnixNano: 1, endTimeUnixNano: 2,
            attributes: [MessagingKey.conversationID: .string("order-1")]
        )
        #expect(builder.build(correlationID: "order-1", spans: [plain], now: later) == nil)
    }
}
