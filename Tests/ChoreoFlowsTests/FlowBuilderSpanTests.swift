import ChoreoModel
import Testing
import ChoreoFlows

@Suite("FlowBuilder: traces, missing and repeated spans")
struct FlowBuilderSpanTests {
    let builder = FlowBuilder()
    let later = SpanScript.nanos(3_600_000)

    /// The flow with every trace reference removed, to compare flows across trace modes.
    func withoutTraces(_ flow: Flow) -> Flow {
        var copy = flow
        copy.traceIDs = []
        for i in copy.steps.indices { copy.steps[i].traceID = nil }
        return copy
    }

    @Test("consumer spans in new traces linked to their producer give the same flow", arguments: Scenario.allCases)
    func traceModes(_ scenario: Scenario) throws {
        let now = SpanScript.nanos(60)
        let single = try #require(builder.build(correlationID: "order-1", spans: scenario.script(.single).spans, now: now))
        let split = try #require(builder.build(correlationID: "order-1", spans: scenario.script(.perStep).spans, now: now))
        #expect(withoutTraces(split) == withoutTraces(single))
        #expect(single.traceIDs.count == 1)
        let deliveryCount = split.steps.reduce(0) { $0 + $1.deliveries.reduce(0) { $0 + $1.attempts } }
        #expect(split.traceIDs.count == 1 + deliveryCount)
        #expect(split.traceIDs.first == split.steps.first?.traceID)
    }

    @Test("trace ids are listed in order of first appearance in time")
    func traceOrder() throws {
        let script = Sagas.happy(mode: .perStep)
        let flow = try #require(builder.build(correlationID: "order-1", spans: script.spans.reversed(), now: later))
        var expected: [TraceID] = []
        for span in script.spans.sorted(by: { $0.startTimeUnixNano < $1.startTimeUnixNano }) where !expected.contains(span.traceID) {
            expected.append(span.traceID)
        }
        #expect(flow.traceIDs == expected)
    }

    @Test("a message whose producer span is missing is rebuilt from its consumer spans")
    func missingProducer() throws {
        var script = Sagas.happy()
        script.drop { $0.kind == .producer && $0.messageID == "m3" }
        let flow = try #require(builder.build(correlationID: "order-1", spans: script.spans, now: later))
        let step = try #require(flow.steps.first { $0.messageID == "m3" })
        #expect(step.type == "InventoryReserved")
        #expect(step.source == "inventory")
        #expect(step.causationID == "m2")
        #expect(step.topic == "orders")
        #expect(step.publishedAtUnixNano == SpanScript.nanos(30))
        #expect(step.traceID == nil && step.spanID == nil)
        #expect(flow.steps.map(\.messageID) == ["m1", "m2", "m3", "m4", "m5"])
        #expect(flow.gaps == 0)
        #expect(flow.status == .completed)
    }

    @Test("a cause whose spans never arrived is counted as a gap")
    func gap() throws {
        var script = Sagas.happy()
        script.drop { $0.messageID == "m3" }
        let flow = try #require(builder.build(correlationID: "order-1", spans: script.spans, now: later))
        #expect(flow.steps.map(\.messageID) == ["m1", "m2", "m4", "m5"])
        #expect(flow.gaps == 1)
        #expect(flow.status == .completed)
    }

    @Test("spans sent twice, in any order, change nothing")
    func duplicates() throws {
        let spans = Sagas.retried().spans
        let once = try #require(builder.build(correlationID: "order-1", spans: spans, now: later))
        let twice = try #require(builder.build(correlationID: "order-1", spans: spans.reversed() + spans, now: later))
        #expect(twice == once)
        #expect(twice.steps.first { $0.messageID == "m2" }?.deliveries.first?.attempts == 2)
        #expect(builder.summary(of: twice).errorCount == 1)
    }

    @Test("spans of other flows are ignored")
    func otherFlows() throws {
        let other =
            SpanScript("order-2").spans
            + Sagas.declined().spans.map { span in
                var copy = span
                copy.attributes[MessagingKey.conversationID] = .string("order-2")
                copy.spanID = SpanID(span.spanID.value + 1000)
                return copy
            }
        let flow = try #require(builder.build(correlationID: "order-1", spans: Sagas.happy().spans + other, now: later))
        #expect(flow.steps.count == 5)
        #expect(flow.outcome == "OrderCompleted")
    }

    @Test("a producer span without choreo.source takes its service name as source")
    func sourceFromService() throws {
        var spans = Sagas.declined().spans
        spans[0].attributes[ChoreoKey.source] = nil
        spans[0].serviceName = "checkout"
        let flow = try #require(builder.build(correlationID: "order-1", spans: spans, now: later))
        #expect(flow.steps[0].source == "checkout")
    }
}
