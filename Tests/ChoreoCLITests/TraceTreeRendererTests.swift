import ChoreoModel
import Testing

@testable import ChoreoCLI

@Suite("TraceTreeRenderer")
struct TraceTreeRendererTests {
    typealias F = Fixtures

    let spans = [
        // Given out of order on purpose.
        F.span(
            3, parent: 2, "process payments", service: "inventory", kind: .consumer, start: 130, end: 180,
            attributes: [
                MessagingKey.destinationName: .string("payments"), MessagingKey.messageID: .string("m2"),
                ChoreoKey.deliveryAttempt: .int(2), ChoreoKey.deliveryOutcome: .string("handled"),
            ]),
        F.span(1, "POST /checkout", service: "checkout", kind: .server, start: 0, end: 200, status: .ok),
        F.span(
            2, parent: 1, "send payments", service: "checkout", kind: .producer, start: 10, end: 12,
            attributes: [
                MessagingKey.destinationName: .string("payments"), ChoreoKey.eventType: .string("OrderPlaced"),
                "http.unrelated": .string("hidden"),
            ]),
        F.span(4, parent: 1, "send audit", service: "checkout", kind: .producer, start: 20, end: 21),
        F.span(
            9, parent: 77, "process shipments", service: "shipment", kind: .consumer, start: 150, end: 2150,
            status: .error, message: "carrier down"),
    ]

    func line(_ needle: String, _ text: String) throws -> String {
        try #require(F.line(containing: needle, in: text), "no line with \(needle)")
    }

    @Test("spans nest under their parents, siblings by start time")
    func nesting() throws {
        let text = TraceTreeRenderer().render(traceID: F.traceID, spans: spans)
        #expect(F.indent(of: try line("POST /checkout", text)) == 0)
        #expect(try line("send payments", text).hasPrefix("├─ "))
        #expect(try line("send audit", text).hasPrefix("└─ "))
        #expect(F.indent(of: try line("process payments", text)) > F.indent(of: try line("send payments", text)))
        let lines = text.split(separator: "\n").map(String.init)
        let payments = try #require(lines.firstIndex { $0.contains("send payments") })
        let audit = try #require(lines.firstIndex { $0.contains("send audit") })
        #expect(payments < audit)
    }

    @Test("each span shows name, service, kind, duration and status")
    func spanLine() throws {
        let text = TraceTreeRenderer().render(traceID: F.traceID, spans: spans)
        #expect(try line("POST /checkout", text).hasSuffix("POST /checkout  [checkout]  server  200.0ms  OK"))
        #expect(try line("send payments", text).hasSuffix("send payments  [checkout]  producer  2.0ms"))
        #expect(try line("process shipments", text).contains("[shipment]  consumer  2.000s  ERROR: carrier down"))
    }

    @Test("key messaging attributes appear under the span, others do not")
    func attributes() throws {
        let text = TraceTreeRenderer().render(traceID: F.traceID, spans: spans)
        let consumer = try line("messaging.message.id=m2", text)
        #expect(consumer.contains("messaging.destination.name=payments"))
        #expect(consumer.contains("choreo.delivery.attempt=2"))
        #expect(consumer.contains("choreo.delivery.outcome=handled"))
        #expect(text.contains("choreo.event_type=OrderPlaced"))
        #expect(!text.contains("hidden"))
    }

    @Test("a span whose parent is not in the trace is a root marked as an orphan")
    func orphan() throws {
        let text = TraceTreeRenderer().render(traceID: F.traceID, spans: spans)
        let orphan = try line("process shipments", text)
        #expect(F.indent(of: orphan) == 0)
        #expect(orphan.contains("(parent \(SpanID(77).hex) not in trace)"))
        #expect(!(try line("POST /checkout", text)).contains("not in trace"))
    }

    @Test("the header counts spans and services")
    func header() {
        let text = TraceTreeRenderer().render(traceID: F.traceID, spans: spans)
        #expect(text.hasPrefix("Trace \(F.traceID.hex)  5 spans, 3 services, 2.150s, started 2026-05-01T12:00:00.000Z\n"))
        #expect(TraceTreeRenderer().render(traceID: F.traceID, spans: []).contains("no spans recorded"))
    }
}
