import ChoreoInstrumentation
import ChoreoModel
import Testing

@testable import OrderFulfilment

@Suite("The truth observed on a broker")
struct TruthObserverTests {
    /// Commanded consumers, with account missing (PaymentDeclined goes nowhere).
    static func observer() async throws -> TruthObserver {
        TruthObserver(consumers: try await OrderFulfilmentSystem.consumers(style: .commanded), missing: ["account"])
    }

    static func message(_ type: OrderMessageType, id: String, cause: String?, order: String = "o1", compensates: String? = nil) -> Message {
        var headers = [MessageHeader.id: id, MessageHeader.correlationID: order, MessageHeader.type: type.rawValue, MessageHeader.source: "svc"]
        headers[MessageHeader.causationID] = cause
        headers[MessageHeader.compensates] = compensates
        return Message(topic: type.topic, headers: headers)
    }

    @Test("steps that arrive out of order (one queue per topic) come back in causal order; a repeated id counts once")
    func causalOrder() async throws {
        let observer = try await Self.observer()
        observer.observe(Self.message(.paymentReceived, id: "3", cause: "2"), type: .paymentReceived)
        observer.observe(Self.message(.orderPlaced, id: "1", cause: nil), type: .orderPlaced)
        observer.observe(Self.message(.retrievePayment, id: "2", cause: "1"), type: .retrievePayment)
        observer.observe(Self.message(.retrievePayment, id: "2", cause: "1"), type: .retrievePayment)
        let flow = try #require(observer.truth(of: ["o1"]).flows["o1"])
        #expect(flow.types == ["OrderPlaced", "RetrievePayment", "PaymentReceived"])
        #expect(flow.status == .inFlight)
    }

    @Test("a message nobody consumes leaves the flow stuck, waiting for it")
    func stuck() async throws {
        let observer = try await Self.observer()
        observer.observe(Self.message(.orderPlaced, id: "1", cause: nil), type: .orderPlaced)
        observer.observe(Self.message(.paymentDeclined, id: "2", cause: "1"), type: .paymentDeclined)
        let flow = try #require(observer.truth(of: ["o1"]).flows["o1"])
        #expect(flow.status == .stuck)
        #expect(flow.waitingFor == "PaymentDeclined")
        #expect(observer.recorder.settledCount == 1)
    }

    @Test("a stuck flow stays stuck when a timer later moves it on (the message nobody consumed still went nowhere)")
    func stuckThenCancelled() async throws {
        let observer = try await Self.observer()
        observer.observe(Self.message(.orderPlaced, id: "1", cause: nil), type: .orderPlaced)
        observer.observe(Self.message(.paymentDeclined, id: "2", cause: "1"), type: .paymentDeclined)
        observer.observe(Self.message(.paymentFailed, id: "3", cause: "2"), type: .paymentFailed)
        observer.observe(Self.message(.orderCancelled, id: "4", cause: "3"), type: .orderCancelled)
        let flow = try #require(observer.truth(of: ["o1", "other"]).flows["o1"])
        #expect(flow.status == .stuck)
        #expect(flow.waitingFor == "PaymentDeclined")
        #expect(flow.types == ["OrderPlaced", "PaymentDeclined", "PaymentFailed", "OrderCancelled"])
        #expect(observer.truth(of: ["other"]).flows.isEmpty, "only the asked flows")
    }

    @Test("a terminal message ends the flow; a compensation makes it compensated")
    func ended() async throws {
        let observer = try await Self.observer()
        observer.observe(Self.message(.orderPlaced, id: "1", cause: nil), type: .orderPlaced)
        observer.observe(Self.message(.refundPayment, id: "2", cause: "1", compensates: "1"), type: .refundPayment)
        observer.observe(Self.message(.orderCancelled, id: "3", cause: "2"), type: .orderCancelled)
        let flow = try #require(observer.truth(of: ["o1"]).flows["o1"])
        #expect(flow.status == .compensated)
        #expect(flow.outcome == "OrderCancelled")
    }
}
