import ChoreoFlows
import ChoreoModel
import Foundation
import Testing

@Suite("Flows built from skewed clocks")
struct ClockSkewFlowTests {
    static let ms: Int64 = 1_000_000

    /// checkout → order → payment → order → notification, every hop queued 2 ms, as the real
    /// clock saw it.
    static func script() -> SpanScript {
        var script = SpanScript()
        script.publish("m1", "OrderPlaced", by: "checkout", at: 0)
        script.deliver("m1", to: "order", at: 2, durationMs: 3)
        script.publish("m2", "ChargePayment", by: "order", causedBy: "m1", at: 4)
        script.deliver("m2", to: "payment", at: 6, durationMs: 4)
        script.publish("m3", "PaymentReceived", by: "payment", causedBy: "m2", at: 8)
        script.deliver("m3", to: "order", at: 10, durationMs: 2)
        script.publish("m4", "OrderCompleted", by: "order", causedBy: "m3", at: 11)
        script.deliver("m4", to: "notification", at: 13)
        return script
    }

    /// `spans` with the times of `service`'s spans moved by `skew` (its clock minus the truth).
    static func skew(_ spans: [SpanRecord], _ service: String, by skew: Int64) -> [SpanRecord] {
        spans.map { span in
            guard span.serviceName == service else { return span }
            var moved = span
            moved.startTimeUnixNano = UInt64(Int64(span.startTimeUnixNano) + skew)
            moved.endTimeUnixNano = UInt64(Int64(span.endTimeUnixNano) + skew)
            return moved
        }
    }

    static func build(_ spans: [SpanRecord], _ options: FlowOptions = FlowOptions(), now: UInt64 = SpanScript.nanos(60_000)) throws -> Flow {
        try #require(FlowBuilder(options: options).build(correlationID: "order-1", spans: spans, now: now))
    }

    static func queue(_ flow: Flow, _ messageID: String) -> UInt64? {
        flow.steps.first { $0.messageID == messageID }?.deliveries.first?.queueTimeNanos
    }

    static let payment1500 = ClockOffsets(bySource: [
        "order": ClockOffset(nanos: 0, reference: "order", hops: 80),
        "payment": ClockOffset(nanos: 1_500 * ms, reference: "order", lowerNanos: 1_499 * ms, upperNanos: 1_501 * ms, hops: 40),
    ])

    @Test("as recorded (adjustsClocks off): payment 1.5 s ahead shows 1.502 s of queueing and a reply queued 0 ms")
    func raw() throws {
        let spans = Self.skew(Self.script().spans, "payment", by: 1_500 * Self.ms)
        let flow = try Self.build(spans, FlowOptions(adjustsClocks: false))
        #expect(Self.queue(flow, "m2") == UInt64(1_502 * Self.ms))
        #expect(Self.queue(flow, "m3") == 0)
        #expect(flow.steps.allSatisfy { $0.adjustedByNanos == 0 && !$0.timeUncertain })
    }

    @Test("learned offsets put every time back on the reference clock: queue times, order, duration exact; raw times kept")
    func learned() throws {
        let truth = try Self.build(Self.script().spans)
        let spans = Self.skew(Self.script().spans, "payment", by: 1_500 * Self.ms)
        let flow = try Self.build(spans, FlowOptions(clockOffsets: Self.payment1500))
        #expect(flow.steps.map(\.messageID) == ["m1", "m2", "m3", "m4"])
        #expect(Self.queue(flow, "m2") == UInt64(2 * Self.ms))
        #expect(Self.queue(flow, "m3") == UInt64(2 * Self.ms))
        #expect(flow.startedAtUnixNano == truth.startedAtUnixNano && flow.endedAtUnixNano == truth.endedAtUnixNano)
        let reply = try #require(flow.steps.first { $0.messageID == "m3" })
        #expect(reply.adjustedByNanos == -1_500 * Self.ms && !reply.timeUncertain)
        #expect(reply.publishedAtUnixNano == SpanScript.nanos(8))
        #expect(reply.rawPublishedAtUnixNano == SpanScript.nanos(1_508))
        let charge = try #require(flow.steps.first { $0.messageID == "m2" }?.deliveries.first)
        #expect(charge.adjustedByNanos == -1_500 * Self.ms)
        #expect(charge.rawFirstStartedAtUnixNano == SpanScript.nanos(1_506))
        #expect(flow.rawEndedAtUnixNano == SpanScript.nanos(1_510))
        #expect(flow.steps.first { $0.messageID == "m1" }?.adjustedByNanos == 0)
        #expect(flow.status == truth.status && flow.outcome == truth.outcome)
    }

    @Test("without learned offsets, one flow's own hops clamp it to causal order: never negative, marked uncertain, no guess")
    func clampedByOneFlow() throws {
        let spans = Self.skew(Self.script().spans, "payment", by: 1_500 * Self.ms)
        let flow = try Self.build(spans)
        // Bounds from this flow: 1498...1502 ms; the smallest shift that restores the order is 1498.
        let reply = try #require(flow.steps.first { $0.messageID == "m3" })
        #expect(reply.adjustedByNanos == -1_498 * Self.ms)
        #expect(reply.timeUncertain)
        #expect(Self.queue(flow, "m3") == 0)
        #expect(Self.queue(flow, "m2") == UInt64(4 * Self.ms))
        #expect(flow.steps.first { $0.messageID == "m2" }?.deliveries.first?.timeUncertain == true)
        #expect(flow.steps.first { $0.messageID == "m1" }.map { $0.adjustedByNanos == 0 && !$0.timeUncertain } == true)
        #expect(flow.endedAtUnixNano - flow.startedAtUnixNano == UInt64(14 * Self.ms))

        // Unskewed spans are left exactly as recorded.
        let plain = try Self.build(Self.script().spans)
        #expect(plain.steps.allSatisfy { $0.adjustedByNanos == 0 && !$0.timeUncertain })
        #expect(plain.steps.flatMap(\.deliveries).allSatisfy { $0.adjustedByNanos == 0 && !$0.timeUncertain })
    }

    @Test("a learned offset that is uncertain flags the source's times even when it moves nothing")
    func uncertainFlag() throws {
        var offsets = Self.payment1500
        offsets.bySource["notification"] = ClockOffset(nanos: 0, reference: "order", upperNanos: 2 * Self.ms, hops: 5, uncertain: true)
        let spans = Self.skew(Self.script().spans, "payment", by: 1_500 * Self.ms)
        let flow = try Self.build(spans, FlowOptions(clockOffsets: offsets))
        let notified = try #require(flow.steps.first { $0.messageID == "m4" }?.deliveries.first)
        #expect(notified.timeUncertain && notified.adjustedByNanos == 0)
    }

    @Test("a consumer 2 s behind does not make a waiting flow look 2 s quieter: in flight, not stuck")
    func notStuckBecauseOfSkew() throws {
        var script = SpanScript()
        script.publish("m1", "OrderPlaced", by: "checkout", at: 0)
        script.deliver("m1", to: "order", at: 2, durationMs: 1_198)
        script.publish("m2", "ChargePayment", by: "order", causedBy: "m1", at: 1_100)
        let spans = Self.skew(script.spans, "order", by: -2_000 * Self.ms)
        let options = FlowOptions(stuckAfterNanos: 2_000_000_000)
        let now = SpanScript.nanos(1_200 + 1_500)  // 1.5 s after the true last activity
        #expect(try Self.build(script.spans, options, now: now).status == .inFlight)
        var raw = options
        raw.adjustsClocks = false
        #expect(try Self.build(spans, raw, now: now).status == .stuck, "uncorrected, the skew makes it stuck")
        let flow = try Self.build(spans, options, now: now)
        #expect(flow.status == .inFlight)
        #expect(flow.waitingFor == "ChargePayment")
    }

    @Test("the JSON grows adjusted_by_ms, raw times and time_uncertain, and round-trips")
    func json() throws {
        let spans = Self.skew(Self.script().spans, "payment", by: 1_500 * Self.ms)
        let flow = try Self.build(spans, FlowOptions(clockOffsets: Self.payment1500))
        let data = try JSONEncoder().encode(flow)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((object["raw_ended_at"] as? String).flatMap(UnixTime.parseRFC3339) == SpanScript.nanos(1_510))
        #expect((object["ended_at"] as? String).flatMap(UnixTime.parseRFC3339) == SpanScript.nanos(14))
        let steps = try #require(object["steps"] as? [[String: Any]])
        let reply = try #require(steps.first { $0["message_id"] as? String == "m3" })
        #expect(reply["adjusted_by_ms"] as? Double == -1_500)
        #expect((reply["raw_published_at"] as? String).flatMap(UnixTime.parseRFC3339) == SpanScript.nanos(1_508))
        #expect(reply["time_uncertain"] as? Bool == false)
        let charge = try #require(steps.first { $0["message_id"] as? String == "m2" })
        let delivery = try #require((charge["deliveries"] as? [[String: Any]])?.first)
        #expect(delivery["adjusted_by_ms"] as? Double == -1_500)
        #expect((delivery["raw_started_at"] as? String).flatMap(UnixTime.parseRFC3339) == SpanScript.nanos(1_506))
        #expect(delivery["queue_ms"] as? Double == 2)
        #expect(try JSONDecoder().decode(Flow.self, from: data) == flow)
    }
}
