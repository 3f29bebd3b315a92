import ChoreoModel

/// Spans of huge flows (issue 17), built directly: a script per message would dominate the run
/// time. Shared by the flow builder's, the query API's and the end-to-end large-flow tests.
public enum LargeFlows {
    /// The default start of the first step (2023-11-14).
    public static let base: UInt64 = 1_700_000_000_000_000_000

    /// The producer and consumer spans of `count` messages: each message `ID-i` is published by
    /// the handling of `ID-(i-1)` (one causation chain `count` deep) when `chain`, else every
    /// message after the first is caused by `ID-0` (a fan-out `count - 1` wide). Step `i` starts
    /// at `base + i` ms and is its own trace (`traceHigh`, `i + 1`), as a per-step tracing bus
    /// records it; every delivery is handled at attempt 1. Spans come in step order, each
    /// publish before its delivery.
    public static func spans(_ correlationID: String, count: Int, chain: Bool, base: UInt64 = base, traceHigh: UInt64 = 0xA) -> [SpanRecord] {
        var spans: [SpanRecord] = []
        spans.reserveCapacity(2 * count)
        for i in 0..<count {
            let id = "\(correlationID)-\(i)"
            var attributes: [String: AttributeValue] = [
                MessagingKey.system: .string("memory"),
                MessagingKey.messageID: .string(id),
                MessagingKey.conversationID: .string(correlationID),
                MessagingKey.destinationName: .string("items"),
                ChoreoKey.eventType: .string(i == 0 ? "BatchStarted" : "ItemReserved"),
                ChoreoKey.source: .string("bulk"),
            ]
            if i > 0 { attributes[ChoreoKey.causationID] = .string("\(correlationID)-\(chain ? i - 1 : 0)") }
            let published = base + UInt64(i) * 1_000_000
            let trace = TraceID(high: traceHigh, low: UInt64(i + 1))
            var producer = attributes
            producer[MessagingKey.operationType] = .string(MessagingOperation.send)
            spans.append(
                SpanRecord(
                    traceID: trace, spanID: SpanID(UInt64(2 * i + 1)), parentSpanID: nil, name: "send items", kind: .producer,
                    startTimeUnixNano: published, endTimeUnixNano: published + 100_000, attributes: producer, serviceName: "bulk"))
            var consumer = attributes
            consumer[MessagingKey.operationType] = .string(MessagingOperation.process)
            consumer[MessagingKey.consumerGroup] = .string("worker")
            consumer[ChoreoKey.deliveryAttempt] = .int(1)
            consumer[ChoreoKey.deliveryOutcome] = .string(DeliveryOutcome.handled.rawValue)
            spans.append(
                SpanRecord(
                    traceID: trace, spanID: SpanID(UInt64(2 * i + 2)), parentSpanID: SpanID(UInt64(2 * i + 1)), name: "process items",
                    kind: .consumer, startTimeUnixNano: published + 200_000, endTimeUnixNano: published + 500_000,
                    attributes: consumer, serviceName: "worker"))
        }
        return spans
    }
}
