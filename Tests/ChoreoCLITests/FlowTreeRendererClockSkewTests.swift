import ChoreoFlows
import ChoreoModel
import Testing

@testable import ChoreoCLI

/// `choreo flows show` with clocks corrected (the default: adjusted steps say by how much) and
/// with `--raw-times` (every time as recorded).
@Suite("FlowTreeRenderer: clock skew")
struct FlowTreeRendererClockSkewTests {
    typealias F = Fixtures

    /// order → payment → order; payment's clock is 1.5 s ahead, so its times were moved back
    /// 1.5 s; shipment's queue time was clamped on thin evidence.
    static var flow: Flow {
        var request = F.step("m1", "RetrievePayment", from: "order", at: 0)
        request.deliveries = [
            FlowDelivery(
                consumer: "payment", attempts: 1, outcome: .handled, error: nil, firstStartedAtUnixNano: F.ms(5), lastEndedAtUnixNano: F.ms(7),
                queueTimeNanos: 5_000_000, handlingTimeNanos: 2_000_000, adjustedByNanos: -1_500_000_000),
            FlowDelivery(
                consumer: "shipment", attempts: 1, outcome: .handled, error: nil, firstStartedAtUnixNano: F.ms(0), lastEndedAtUnixNano: F.ms(1),
                queueTimeNanos: 0, handlingTimeNanos: 1_000_000, timeUncertain: true),
        ]
        var reply = F.step("m2", "PaymentReceived", from: "payment", causedBy: "m1", at: 6)
        reply.adjustedByNanos = -1_500_000_000
        reply.deliveries = [
            FlowDelivery(
                consumer: "order", attempts: 1, outcome: .handled, error: nil, firstStartedAtUnixNano: F.ms(11), lastEndedAtUnixNano: F.ms(12),
                queueTimeNanos: 5_000_000, handlingTimeNanos: 1_000_000)
        ]
        var flow = F.flow([request, reply])
        flow.endedAtUnixNano = F.ms(12)
        flow.rawStartedAtUnixNano = F.ms(0) - 493_000_000  // a span of a clock behind, moved forward
        flow.rawEndedAtUnixNano = F.ms(1_507)
        return flow
    }

    func line(_ needle: String, _ text: String) throws -> String {
        try #require(F.line(containing: needle, in: text), "no line with \(needle) in\n\(text)")
    }

    @Test("corrected times by default; an adjusted step or delivery says by how much, a flagged one says so")
    func corrected() throws {
        let text = FlowTreeRenderer().render(Self.flow)
        #expect(try line("ended", text).hasSuffix("(12.0ms)"))
        #expect(try line("clocks", text).contains("1 step and 1 delivery adjusted for clock skew (1 on thin evidence); --raw-times"))
        let reply = try line("PaymentReceived (m2)", text)
        #expect(reply.contains("+6.0ms") && reply.contains("clock -1.500s"), "\(reply)")
        #expect(!(try line("RetrievePayment (m1)", text)).contains("clock"), "order's clock was not moved")
        let payment = try line("payment: handled", text)
        #expect(payment.contains("queued 5.0ms") && payment.contains("clock -1.500s"), "\(payment)")
        #expect(try line("shipment: handled", text).contains("clock uncertain"))
        let order = try line("order: handled", text)
        #expect(order.contains("queued 5.0ms") && !order.contains("clock"), "\(order)")
    }

    @Test("--raw-times shows every time as recorded: offsets, duration and queue times, negative ones too")
    func raw() throws {
        let text = FlowTreeRenderer(rawTimes: true).render(Self.flow)
        #expect(try line("started", text).hasSuffix(UnixTime.rfc3339(F.ms(0) - 493_000_000)))
        #expect(try line("ended", text).hasSuffix("(2.000s)"))
        #expect(try line("clocks", text).hasSuffix("; times shown as recorded"))
        #expect(try line("PaymentReceived (m2)", text).contains("+1.999s"))
        #expect(try line("payment: handled", text).contains("queued +1.505s"))
        #expect(try line("order: handled", text).contains("queued -1.495s"), "the reply seems to arrive before it was sent")
    }

    @Test("a flow with no time adjusted has no clocks row")
    func noClocksRow() {
        let plain = F.flow([F.step("m1", "OrderPlaced", from: "checkout", at: 0, deliveries: [F.delivery("order", .handled)])])
        #expect(F.line(containing: "clocks", in: FlowTreeRenderer().render(plain)) == nil)
        #expect(FlowTreeRenderer(rawTimes: true).render(plain) == FlowTreeRenderer().render(plain))
    }
}
