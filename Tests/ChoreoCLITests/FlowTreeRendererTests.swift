import ChoreoFlows
import ChoreoModel
import Testing

@testable import ChoreoCLI

@Suite("FlowTreeRenderer")
struct FlowTreeRendererTests {
    typealias F = Fixtures

    /// A compensated order: payment charged, goods unavailable, payment refunded.
    let saga = F.flow(
        [
            F.step("m1", "OrderPlaced", from: "checkout", at: 0, deliveries: [F.delivery("payment", .handled)]),
            F.step(
                "m2", "PaymentCharged", from: "payment", causedBy: "m1", at: 120,
                deliveries: [
                    F.delivery("inventory", .handled, attempts: 3, failed: 2, error: "database locked")
                ]),
            F.step(
                "m3", "GoodsUnavailable", from: "inventory", causedBy: "m2", at: 200,
                deliveries: [
                    F.delivery("payment", .handled),
                    F.delivery("shipment", .deadLettered, attempts: 5, failed: 5, error: "timeout"),
                ]),
            F.step("m4", "PaymentRefunded", from: "payment", causedBy: "m3", compensates: "m2", at: 300),
            F.step("m5", "OrderCancelled", from: "order", causedBy: "m3", at: 310),
        ], status: .compensated, outcome: "OrderCancelled")

    func line(_ needle: String, _ text: String) throws -> String {
        try #require(F.line(containing: needle, in: text), "no line with \(needle)")
    }

    @Test("the header names the flow, status, outcome, traces, times and what it waits for")
    func header() throws {
        let text = FlowTreeRenderer().render(saga)
        #expect(text.hasPrefix("Flow order-42\n"))
        #expect(try line("status", text).hasSuffix("compensated"))
        #expect(try line("outcome", text).hasSuffix("OrderCancelled"))
        #expect(try line("traces", text).hasSuffix(F.traceID.hex))
        #expect(try line("started", text).hasSuffix("2026-05-01T12:00:00.000Z"))
        #expect(try line("ended", text).contains("2026-05-01T12:00:01.234Z  (1.234s)"))
        #expect(try line("waiting for", text).hasSuffix("-"))
        #expect(!text.contains("gaps"))
    }

    @Test("children are indented under the message that caused them")
    func nesting() throws {
        let text = FlowTreeRenderer().render(saga)
        let placed = F.indent(of: try line("OrderPlaced (m1)", text))
        let charged = F.indent(of: try line("PaymentCharged (m2)", text))
        let unavailable = F.indent(of: try line("GoodsUnavailable (m3)", text))
        let refunded = F.indent(of: try line("PaymentRefunded (m4)", text))
        let cancelled = F.indent(of: try line("OrderCancelled (m5)", text))
        #expect(placed == 0)
        #expect(charged > placed)
        #expect(unavailable > charged)
        #expect(refunded > unavailable)
        #expect(cancelled == refunded)
        #expect(try line("PaymentRefunded (m4)", text).contains("├─ "))
        #expect(try line("OrderCancelled (m5)", text).contains("└─ "))
        // Publish order is kept top to bottom.
        let order = ["(m1)", "(m2)", "(m3)", "(m4)", "(m5)"].map { id in
            text.split(separator: "\n").firstIndex { $0.contains(id) } ?? -1
        }
        #expect(order == order.sorted())
    }

    @Test("a compensation names the type and id of the step it undoes")
    func compensation() throws {
        let text = FlowTreeRenderer().render(saga)
        #expect(try line("PaymentRefunded", text).contains("↺ compensates PaymentCharged (m2)"))
        #expect(!(try line("OrderCancelled (m5)", text)).contains("↺"))
    }

    @Test("deliveries show consumer, outcome, attempts, failures and the error")
    func deliveries() throws {
        let text = FlowTreeRenderer().render(saga)
        #expect(try line("inventory: ", text).hasSuffix("✓ inventory: handled (3 attempts, 2 failed) error: database locked"))
        #expect(try line("shipment: ", text).hasSuffix("✗ shipment: dead_lettered (5 attempts, 5 failed) error: timeout"))
        #expect(text.contains("✓ payment: handled (1 attempt)\n"))
        // A delivery line sits under its step, deeper than the step's own line.
        #expect(F.indent(of: try line("shipment: ", text)) > F.indent(of: try line("GoodsUnavailable", text)))
    }

    @Test("a step whose cause never arrived starts its own tree and says so")
    func gapRoot() throws {
        let flow = F.flow(
            [
                F.step("m1", "OrderPlaced", from: "checkout", at: 0),
                F.step(
                    "m9", "ShipmentDispatched", from: "shipment", causedBy: "m7", at: 50,
                    deliveries: [F.delivery("notification", .retry, attempts: 2, failed: 2, error: "smtp down")]),
            ], status: .inFlight, outcome: nil, gaps: 1)
        let text = FlowTreeRenderer().render(flow)
        let orphan = try line("ShipmentDispatched", text)
        #expect(F.indent(of: orphan) == 0)
        #expect(orphan.contains("caused by m7 (not seen)"))
        #expect(try line("gaps", text).contains("1 never seen"))
        #expect(text.contains("↻ notification: retry (2 attempts, 2 failed) error: smtp down"))
    }

    @Test("a compensation of an unseen step and a causation cycle still render every step once")
    func oddShapes() {
        let flow = F.flow([
            F.step("a", "A", from: "s", causedBy: "b", at: 0),
            F.step("b", "B", from: "s", causedBy: "a", compensates: "zz", at: 1),
            F.step("c", "C", from: "s", causedBy: "c", at: 2),
        ])
        let text = FlowTreeRenderer().render(flow)
        for id in ["(a)", "(b)", "(c)"] {
            #expect(text.ranges(of: id).count == 1, "\(id) appears once")
        }
        #expect(text.contains("↺ compensates zz (not seen)"))
    }
}
